// Screens behind sign-in. A missing or expired session sends the user to /login, remembering
// where they were so that they come straight back.
import type { Role } from '@couponscan/shared/auth';
import type { ReactNode } from 'react';
import { Navigate, Outlet, useLocation } from 'react-router';
import type { LoginLocationState } from '../features/auth/components/login-page.tsx';
import { homePathFor, useSession } from '../lib/session.tsx';

export function RequireSession() {
  const { state, retry } = useSession();
  const location = useLocation();
  switch (state.status) {
    case 'loading':
      return (
        <p className="page-status" role="status">
          Loading…
        </p>
      );
    case 'unreachable':
      return (
        <div className="page-status" role="alert">
          <p>Cannot reach the server. Check the connection.</p>
          <button type="button" className="button button--primary" onClick={retry}>
            Try again
          </button>
        </div>
      );
    case 'signed-out': {
      const loginState: LoginLocationState = {
        from: location.pathname + location.search,
        expired: state.expired,
      };
      return <Navigate to="/login" state={loginState} replace />;
    }
    case 'signed-in':
      return <Outlet />;
  }
}

export function RequireRole({ roles, children }: { roles: readonly Role[]; children: ReactNode }) {
  const { state } = useSession();
  if (state.status !== 'signed-in') return null;
  if (!roles.includes(state.session.user.role)) {
    return <Navigate to={homePathFor(state.session)} replace />;
  }
  return children;
}

export function HomeRedirect() {
  const { state } = useSession();
  if (state.status !== 'signed-in') return null;
  return <Navigate to={homePathFor(state.session)} replace />;
}
