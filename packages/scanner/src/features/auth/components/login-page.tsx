// Sign in. After a session expired, the user comes back to where they were.
import { useState, type SubmitEvent } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { isApiError, TransportError } from '../../../lib/api-client.ts';
import { homePathFor, useSession } from '../../../lib/session.tsx';
import { login } from '../api/session-api.ts';

/** What the session guard passes along when it sends someone here. */
export interface LoginLocationState {
  from?: string;
  expired?: boolean;
}

function loginErrorText(error: unknown): string {
  if (isApiError(error, 'invalid_credentials')) return 'Wrong email or password.';
  if (isApiError(error, 'rate_limited')) return 'Too many attempts. Wait a minute, then try again.';
  if (isApiError(error, 'validation_failed')) return 'Enter your email and password.';
  if (error instanceof TransportError) return 'Cannot reach the server. Check the connection.';
  return 'Signing in failed. Try again in a moment.';
}

export default function LoginPage() {
  const { state, signedIn } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as LoginLocationState | null)?.from;
  const expired = (location.state as LoginLocationState | null)?.expired === true;
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  if (state.status === 'signed-in' && !busy) {
    return <Navigate to={from ?? homePathFor(state.session)} replace />;
  }

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    login({ email: email.trim(), password }).then(
      (session) => {
        signedIn(session);
        void navigate(from ?? homePathFor(session), { replace: true });
      },
      (error: unknown) => {
        setBusy(false);
        setProblem(loginErrorText(error));
      },
    );
  };

  return (
    <main className="login-page">
      <h1>couponscan</h1>
      {expired && (
        <p className="notice" role="status">
          Your session has ended. Sign in again to carry on.
        </p>
      )}
      <form onSubmit={submit} className="login-form">
        <label htmlFor="login-email">Email</label>
        <input
          id="login-email"
          type="email"
          autoComplete="username"
          inputMode="email"
          required
          value={email}
          onChange={(event) => {
            setEmail(event.target.value);
          }}
        />
        <label htmlFor="login-password">Password</label>
        <input
          id="login-password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(event) => {
            setPassword(event.target.value);
          }}
        />
        {problem !== null && (
          <p className="field-problem" role="alert">
            {problem}
          </p>
        )}
        <button type="submit" className="button button--primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
