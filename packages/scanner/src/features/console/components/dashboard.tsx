// The dashboard, overall or for one campaign (its panels are in dashboard-panels.tsx). It stays
// live through the server-sent event feed and polls while that is down.
import { Link } from 'react-router';
import {
  useLiveFeed,
  useStatsOverview,
  useSuspiciousActivity,
  type LiveState,
} from '../api/stats.ts';
import { viewerTimeZone } from '../lib/zoned-dates.ts';
import { Figures, Latest, PerDay, PerStore, Refusals, Suspicious } from './dashboard-panels.tsx';
import { ErrorNotice, Loading, PageHeading } from './ui.tsx';

function LiveBadge({ state }: { state: LiveState }) {
  const words =
    state === 'live'
      ? 'Live'
      : state === 'connecting'
        ? 'Connecting…'
        : 'Live feed interrupted: refreshing every 5 seconds';
  return (
    <p className={`live-badge live-badge--${state}`} role="status" data-live={state}>
      <span className="live-dot" aria-hidden="true" />
      {words}
    </p>
  );
}

/** The figures of one campaign, or of all when `campaignId` is null. */
export function Dashboard({ campaignId }: { campaignId: string | null }) {
  const live = useLiveFeed(campaignId);
  const overview = useStatsOverview(campaignId, live);
  const suspicious = useSuspiciousActivity(campaignId, live);
  return (
    <div className="dashboard" aria-busy={overview.isPending}>
      <LiveBadge state={live} />
      <ErrorNotice error={overview.error} title="The figures could not be loaded." />
      {overview.isPending && <Loading what="the figures" />}
      {overview.data !== undefined && (
        <>
          <Figures overview={overview.data} />
          <div className="dashboard-grid">
            <PerDay overview={overview.data} />
            <PerStore overview={overview.data} />
            <Refusals overview={overview.data} />
            <Latest overview={overview.data} showCampaign={campaignId === null} />
            {suspicious.data !== undefined && <Suspicious activity={suspicious.data} />}
          </div>
        </>
      )}
      <ErrorNotice error={suspicious.error} title="Suspicious activity could not be loaded." />
      <p className="muted small">Times in {viewerTimeZone().replaceAll('_', ' ')}.</p>
    </div>
  );
}

export function DashboardPage() {
  return (
    <section className="console-page">
      <div className="page-head">
        <PageHeading title="Dashboard">Dashboard</PageHeading>
        <Link className="button button--primary" to="/console/campaigns/new">
          New campaign
        </Link>
      </div>
      <Dashboard campaignId={null} />
    </section>
  );
}
