// Providers and routes. The scanner and the console are separate chunks: a staff phone loads the
// login screen and the scanner, never the console (React.lazy + dynamic import).
import { lazy, Suspense, type ReactNode } from 'react';
import { BrowserRouter, Route, Routes } from 'react-router';
import LoginPage from '../features/auth/components/login-page.tsx';
import { SessionProvider } from '../lib/session.tsx';
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

export function App() {
  return (
    <SessionProvider>
      <BrowserRouter>
        <AppRoutes />
      </BrowserRouter>
    </SessionProvider>
  );
}
