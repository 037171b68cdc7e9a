import { Outlet } from 'react-router';
import { OfflineBanner } from '../components/offline-banner.tsx';
import { logout } from '../features/auth/api/session-api.ts';
import { useSession, useSignedInSession } from '../lib/session.tsx';

export function Layout() {
  const session = useSignedInSession();
  const { signedOut } = useSession();
  const { user } = session;

  const signOut = () => {
    // the server may be unreachable; the device forgets the session either way
    logout()
      .finally(signedOut)
      .catch(() => undefined);
  };

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <span className="brand">couponscan</span>
        <span className="who">
          {user.storeName ?? user.role} · {user.name}
        </span>
        <button type="button" className="button button--small button--header" onClick={signOut}>
          Sign out
        </button>
      </header>
      <OfflineBanner />
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
