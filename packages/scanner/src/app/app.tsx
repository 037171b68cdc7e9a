// Providers and routes. The scanner and the console are separate chunks: a staff phone loads the
// login screen and the scanner, never the console (React.lazy + dynamic import).
import { QueryClientProvider, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useEffect, useState, type ReactNode } from 'react';
import { BrowserRouter, Route, Routes } from 'react-router';
import LoginPage from '../features/auth/components/login-page.tsx';
import { createQueryClient } from '../lib/react-query.ts';
import { SessionProvider, useSession } from '../lib/session.tsx';
import { Layout } from './layout.tsx';
import { HomeRedirect, RequireRole, RequireSession } from './require-session.tsx';

const ScanPage = lazy(() => import('../features/scan/components/scan-page.tsx'));
const ConsolePage = lazy(() => import('../features/console/console-page.tsx'));

function Loading({ children }: { children: ReactNode }) {
  return (
    <Suspense
      fallback={
        <p className="page-status" role="status">
          Loading…
        </p>
      }
    >
      {children}
    </Suspense>
  );
}

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route element={<RequireSession />}>
        <Route element={<Layout />}>
          <Route index element={<HomeRedirect />} />
          <Route
            path="scan"
            element={
              <RequireRole roles={['staff']}>
                <Loading>
                  <ScanPage />
                </Loading>
              </RequireRole>
            }
          />
          <Route
            path="console/*"
            element={
              <RequireRole roles={['marketer', 'admin']}>
                <Loading>
                  <ConsolePage />
                </Loading>
              </RequireRole>
            }
          />
          <Route path="*" element={<HomeRedirect />} />
        </Route>
      </Route>
    </Routes>
  );
}

/** Whoever signs in next on this device must not see the cached answers of the one before. */
function ForgetServerStateOnSignOut() {
  const { state } = useSession();
  const queryClient = useQueryClient();
  const signedOut = state.status === 'signed-out';
  useEffect(() => {
    if (signedOut) queryClient.clear();
  }, [signedOut, queryClient]);
  return null;
}

export function App() {
  // one cache per mounted app (each test renders its own), never shared across sessions
  const [queryClient] = useState(createQueryClient);
  return (
    <QueryClientProvider client={queryClient}>
      <SessionProvider>
        <ForgetServerStateOnSignOut />
        <BrowserRouter>
          <AppRoutes />
        </BrowserRouter>
      </SessionProvider>
    </QueryClientProvider>
  );
}
