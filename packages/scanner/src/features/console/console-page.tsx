// The marketers' console: campaigns, issuing, coupons, the live dashboard and, for
// admins, administration. The whole folder is one lazily loaded chunk (see src/app/app.tsx), so
// staff phones never download it; charts are a further chunk loaded by the dashboard.
import { lazy, Suspense, useId, useRef, useState } from 'react';
import { NavLink, Navigate, Route, Routes, useLocation } from 'react-router';
import { useSignedInSession } from '../../lib/session.tsx';
import { CampaignForm } from './components/campaign-form.tsx';
import { CampaignLayout, CampaignOverview } from './components/campaign-page.tsx';
import { CampaignsList } from './components/campaigns-list.tsx';
import { CouponDetail } from './components/coupon-detail.tsx';
import { CouponsTable } from './components/coupons-table.tsx';
import { DashboardPage } from './components/dashboard.tsx';
import { IssueCoupons } from './components/issue-coupons.tsx';
import { RunningBatchesPage } from './components/batches.tsx';
import { ScreenErrorBoundary } from './components/screen-error-boundary.tsx';
import { Loading } from './components/ui.tsx';
import './console.css';

// administration is for admins only: marketers never download it
const AdminStores = lazy(() => import('./components/admin-stores.tsx'));
const AdminUsers = lazy(() => import('./components/admin-users.tsx'));
const AdminLedger = lazy(() => import('./components/admin-ledger.tsx'));
const AdminApiTokens = lazy(() => import('./components/admin-api-tokens.tsx'));
const AdminWebhooks = lazy(() => import('./components/admin-webhooks.tsx'));

/**
 * The console's sections. An admin's eight do not fit across a phone: below the side navigation's
 * width they fold behind a Menu button (console.css), which folds them again on the way to a
 * page (or on Escape) and takes the keyboard focus back from the link that is hidden then.
 */
function ConsoleNav({ admin }: { admin: boolean }) {
  const [open, setOpen] = useState(false);
  const linksId = useId();
  const toggle = useRef<HTMLButtonElement>(null);
  const fold = () => {
    setOpen(false);
    toggle.current?.focus();
  };
  const link = ({ isActive }: { isActive: boolean }) =>
    isActive ? 'console-nav-link console-nav-link--active' : 'console-nav-link';
  const links = (
    <>
      <NavLink to="/console" end className={link}>
        Dashboard
      </NavLink>
      <NavLink to="/console/campaigns" className={link}>
        Campaigns
      </NavLink>
      <NavLink to="/console/batches" className={link}>
        Batches
      </NavLink>
      {admin && (
        <>
          <NavLink to="/console/admin/stores" className={link}>
            Stores
          </NavLink>
          <NavLink to="/console/admin/users" className={link}>
            Users
          </NavLink>
          <NavLink to="/console/admin/ledger" className={link}>
            Ledger
          </NavLink>
          <NavLink to="/console/admin/api-tokens" className={link}>
            API tokens
          </NavLink>
          <NavLink to="/console/admin/webhooks" className={link}>
            Webhooks
          </NavLink>
        </>
      )}
    </>
  );
  if (!admin) {
    return (
      <nav className="console-nav" aria-label="Console">
        {links}
      </nav>
    );
  }
  return (
    <nav
      className={`console-nav console-nav--folding ${open ? 'console-nav--open' : ''}`}
      aria-label="Console"
      onKeyDown={(event) => {
        if (event.key === 'Escape' && open) fold();
      }}
    >
      <button
        ref={toggle}
        type="button"
        className="console-nav-toggle"
        aria-expanded={open}
        aria-controls={linksId}
        onClick={() => {
          setOpen(!open);
        }}
      >
        Menu
      </button>
      {/* a click on a link (bubbling up) is the way to a page: the menu folds */}
      <div
        id={linksId}
        className="console-nav-links"
        onClick={() => {
          if (open) fold();
        }}
      >
        {links}
      </div>
    </nav>
  );
}

export default function ConsolePage() {
  const session = useSignedInSession();
  const admin = session.user.role === 'admin';
  const location = useLocation();
  return (
    <div className="console">
      <ConsoleNav admin={admin} />
      <div className="console-content">
        <ScreenErrorBoundary resetKey={location.pathname}>
          <Suspense fallback={<Loading what="the page" />}>
            <Routes>
              <Route index element={<DashboardPage />} />
              <Route path="campaigns" element={<CampaignsList />} />
              <Route path="campaigns/new" element={<CampaignForm />} />
              <Route path="campaigns/:campaignId" element={<CampaignLayout />}>
                <Route index element={<CampaignOverview />} />
                <Route path="edit" element={<CampaignForm />} />
                <Route path="issue" element={<IssueCoupons />} />
                <Route path="coupons" element={<CouponsTable />} />
                <Route path="coupons/:code" element={<CouponDetail />} />
              </Route>
              <Route path="batches" element={<RunningBatchesPage />} />
              {admin && (
                <>
                  <Route path="admin/stores" element={<AdminStores />} />
                  <Route path="admin/users" element={<AdminUsers />} />
                  <Route path="admin/ledger" element={<AdminLedger />} />
                  <Route path="admin/api-tokens" element={<AdminApiTokens />} />
                  <Route path="admin/webhooks" element={<AdminWebhooks />} />
                </>
              )}
              <Route path="*" element={<Navigate to="/console" replace />} />
            </Routes>
          </Suspense>
        </ScreenErrorBoundary>
      </div>
    </div>
  );
}
