import { useEffect, useRef, useState } from 'react';
import { Outlet } from 'react-router';
import { OfflineBanner } from '../components/offline-banner.tsx';
import { logout } from '../features/auth/api/session-api.ts';
import { useSession, useSignedInSession } from '../lib/session.tsx';

export function Layout() {
  const session = useSignedInSession();
  const { signedOut } = useSession();
  const { user } = session;
  // a stray tap next to the store name must not end the shift's session
  const [confirming, setConfirming] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);

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
          <span className="who-place">{user.storeName ?? user.role}</span>
          <span className="who-name">{user.name}</span>
        </span>
        <button
          type="button"
          className="button button--small button--header"
          aria-expanded={confirming}
          aria-controls="sign-out-confirm"
          onClick={() => {
            setConfirming((open) => !open);
          }}
        >
          Sign out
        </button>
      </header>
      {confirming && (
        <div id="sign-out-confirm" className="sign-out-confirm" role="group" aria-label="Sign out">
          <p>Sign out of this phone? Scanning stops until someone signs in again.</p>
          <div className="sign-out-actions">
            <button
              ref={confirmRef}
              type="button"
              className="button button--danger"
              onClick={signOut}
            >
              Yes, sign out
            </button>
            <button
              type="button"
              className="button button--secondary"
              onClick={() => {
                setConfirming(false);
              }}
            >
              Stay signed in
            </button>
          </div>
        </div>
      )}
      <OfflineBanner />
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
