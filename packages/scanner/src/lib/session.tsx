// Who is signed in, shared by every feature. The server's cookie is the truth: the app asks
// GET /api/auth/me on start, and any 401 `unauthenticated` later marks the session as expired.
import type { SessionResponse } from '@couponscan/shared/auth';
import {
  createContext,
  use,
  useCallback,
  useEffect,
  useMemo,
  useState,
  type ReactNode,
} from 'react';
import { apiRequest, isApiError, onUnauthenticated } from './api-client.ts';

export type SessionState =
  | { status: 'loading' }
  /** The server could not be reached to ask; retry() asks again. */
  | { status: 'unreachable' }
  | { status: 'signed-in'; session: SessionResponse }
  /** `expired`: the user was signed in and the server ended the session. */
  | { status: 'signed-out'; expired: boolean };

interface SessionContextValue {
  state: SessionState;
  signedIn: (session: SessionResponse) => void;
  signedOut: () => void;
  retry: () => void;
}

const SessionContext = createContext<SessionContextValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let current = true;
    apiRequest<SessionResponse>('/api/auth/me', { timeoutMs: 10_000 }).then(
      (session) => {
        if (current) setState({ status: 'signed-in', session });
      },
      (error: unknown) => {
        if (!current) return;
        setState(
          isApiError(error, 'unauthenticated')
            ? { status: 'signed-out', expired: false }
            : { status: 'unreachable' },
        );
      },
    );
    return () => {
      current = false;
    };
  }, [attempt]);

  useEffect(
    () =>
      onUnauthenticated(() => {
        setState((previous) =>
          previous.status === 'signed-in' ? { status: 'signed-out', expired: true } : previous,
        );
      }),
    [],
  );

  const signedIn = useCallback((session: SessionResponse) => {
    setState({ status: 'signed-in', session });
  }, []);
  const signedOut = useCallback(() => {
    setState({ status: 'signed-out', expired: false });
  }, []);
  const retry = useCallback(() => {
    setState({ status: 'loading' });
    setAttempt((n) => n + 1);
  }, []);

  const value = useMemo(
    () => ({ state, signedIn, signedOut, retry }),
    [state, signedIn, signedOut, retry],
  );
  return <SessionContext value={value}>{children}</SessionContext>;
}

export function useSession(): SessionContextValue {
  const value = use(SessionContext);
  if (value === null) throw new Error('useSession outside <SessionProvider>');
  return value;
}

/** The signed-in session; only for screens behind the app's session guard. */
export function useSignedInSession(): SessionResponse {
  const { state } = useSession();
  if (state.status !== 'signed-in') throw new Error('useSignedInSession without a session');
  return state.session;
}

/** Where a role starts: staff scan, marketers and admins work in the console. */
export function homePathFor(session: SessionResponse): string {
  return session.user.role === 'staff' ? '/scan' : '/console';
}
