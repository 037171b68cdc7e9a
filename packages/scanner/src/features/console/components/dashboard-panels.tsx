// The dashboard's panels: headline figures (data-metric="issued" | "redeemed" |
// "redemption-rate"), redemptions per day in the viewer's time zone and per store (charts, loaded
// on demand), refused scans by outcome, the latest redemptions and suspicious activity.
import type { StatsOverview, SuspiciousActivity } from '@couponscan/shared/stats';
import { lazy, Suspense } from 'react';
import { Link } from 'react-router';
import { formatInstant, formatLocalDate, formatShortLocalDate } from '../lib/display.ts';
import { DataTable, formatCount, formatRate } from './ui.tsx';

const BarChart = lazy(() => import('./bar-chart.tsx'));

const OUTCOME_WORDS: Record<string, string> = {
  already_redeemed: 'Already used',
  voided: 'Voided',
  expired: 'Expired',
  not_yet_valid: 'Not yet valid',
  campaign_paused: 'Campaign paused',
  wrong_store: 'Wrong store',
  not_found: 'Unknown code',
  invalid_code: 'Misread or mistyped code',
};

export function Figures({ overview }: { overview: StatsOverview }) {
  const { totals } = overview;
  return (
    <dl className="figures">
      <div className="figure">
        <dt>Issued</dt>
        <dd data-metric="issued">{formatCount(totals.issued)}</dd>
      </div>
      <div className="figure">
        <dt>Redeemed</dt>
        <dd data-metric="redeemed">{formatCount(totals.redeemed)}</dd>
      </div>
      <div className="figure">
        <dt>Redemption rate</dt>
        <dd data-metric="redemption-rate">{formatRate(totals.redemptionRate)}</dd>
      </div>
      <div className="figure figure--small">
        <dt>Voided</dt>
        <dd data-metric="voided">{formatCount(totals.voided)}</dd>
      </div>
    </dl>
  );
}

function ChartFallback() {
  return <div className="chart-placeholder">Loading the chart…</div>;
}

export function PerDay({ overview }: { overview: StatsOverview }) {
  const total = overview.perDay.reduce((sum, day) => sum + day.redemptions, 0);
  return (
    <section className="panel" aria-labelledby="per-day-title">
      <h3 id="per-day-title">Redemptions per day</h3>
      <p className="muted">
        {formatLocalDate(overview.from)} – {formatLocalDate(overview.to)}, days in{' '}
        {overview.tz.replaceAll('_', ' ')}: {formatCount(total)} in all.
      </p>
      <Suspense fallback={<ChartFallback />}>
        <BarChart
          label={`Redemptions per day, ${formatCount(total)} in all`}
          labels={overview.perDay.map((day) => formatShortLocalDate(day.date))}
          values={overview.perDay.map((day) => day.redemptions)}
          seriesName="Redemptions"
        />
      </Suspense>
      <details>
        <summary>Show as a table</summary>
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col" className="num">
                Redemptions
              </th>
              <th scope="col" className="num">
                Undone
              </th>
            </tr>
          </thead>
          <tbody>
            {overview.perDay.map((day) => (
              <tr key={day.date}>
                <td>{formatLocalDate(day.date)}</td>
                <td className="num">{formatCount(day.redemptions)}</td>
                <td className="num">{formatCount(day.reversals)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </section>
  );
}

export function PerStore({ overview }: { overview: StatsOverview }) {
  return (
    <section className="panel" aria-labelledby="per-store-title">
      <h3 id="per-store-title">Redemptions per store</h3>
      {overview.perStore.length === 0 ? (
        <p className="muted">No redemptions in these days.</p>
      ) : (
        <>
          <Suspense fallback={<ChartFallback />}>
            <BarChart
              label="Redemptions per store"
              labels={overview.perStore.map((store) => store.storeName)}
              values={overview.perStore.map((store) => store.redemptions)}
              seriesName="Redemptions"
              horizontal
            />
          </Suspense>
          <details>
            <summary>Show as a table</summary>
            <table className="data-table">
              <thead>
                <tr>
                  <th scope="col">Store</th>
                  <th scope="col" className="num">
                    Redemptions
                  </th>
                </tr>
              </thead>
              <tbody>
                {overview.perStore.map((store) => (
                  <tr key={store.storeId}>
                    <td>{store.storeName}</td>
                    <td className="num">{formatCount(store.redemptions)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </>
      )}
    </section>
  );
}

export function Refusals({ overview }: { overview: StatsOverview }) {
  return (
    <section className="panel" aria-labelledby="refusals-title">
      <h3 id="refusals-title">Refused scans</h3>
      {overview.refusals.length === 0 ? (
        <p className="muted">No scan was refused in these days.</p>
      ) : (
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">Why</th>
              <th scope="col" className="num">
                Scans
              </th>
            </tr>
          </thead>
          <tbody>
            {overview.refusals.map((refusal) => (
              <tr key={refusal.outcome} data-outcome={refusal.outcome}>
                <td>{OUTCOME_WORDS[refusal.outcome] ?? refusal.outcome}</td>
                <td className="num">{formatCount(refusal.count)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function Latest({
  overview,
  showCampaign,
}: {
  overview: StatsOverview;
  showCampaign: boolean;
}) {
  return (
    <section className="panel panel--wide" aria-labelledby="latest-title">
      <h3 id="latest-title">Latest redemptions</h3>
      {overview.latest.length === 0 ? (
        <p className="muted">Nothing redeemed yet.</p>
      ) : (
        <DataTable label="Latest redemptions">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Code</th>
              {showCampaign && <th scope="col">Campaign</th>}
              <th scope="col">Store</th>
              <th scope="col">Staff</th>
            </tr>
          </thead>
          <tbody>
            {overview.latest.map((entry) => (
              <tr key={entry.id} className={entry.reversed ? 'row--reversed' : undefined}>
                <td>{formatInstant(entry.createdAt)}</td>
                <td className="code">
                  {entry.displayCode}
                  {entry.reversed && <span className="muted"> (undone)</span>}
                </td>
                {showCampaign && (
                  <td>
                    <Link to={`/console/campaigns/${entry.campaignId}`}>{entry.campaignName}</Link>
                  </td>
                )}
                <td>{entry.storeName}</td>
                <td>{entry.userName}</td>
              </tr>
            ))}
          </tbody>
        </DataTable>
      )}
    </section>
  );
}

export function Suspicious({ activity }: { activity: SuspiciousActivity }) {
  const quiet = activity.failedScanBursts.length === 0 && activity.crossStoreReuse.length === 0;
  return (
    <section className="panel panel--wide" aria-labelledby="suspicious-title">
      <h3 id="suspicious-title">Suspicious activity</h3>
      <p className="muted">
        Since {formatInstant(activity.since)}: {activity.minFailures} or more unknown codes within{' '}
        {activity.burstMinutes} minutes by one person (guessing codes), and used coupons shown again
        at another store within {activity.reuseMinutes} minutes (copied codes).
      </p>
      {quiet && <p>Nothing suspicious.</p>}
      {activity.failedScanBursts.length > 0 && (
        <DataTable label="Bursts of unknown codes">
          <caption>Bursts of unknown codes</caption>
          <thead>
            <tr>
              <th scope="col">Staff</th>
              <th scope="col">Store</th>
              <th scope="col" className="num">
                Peak
              </th>
              <th scope="col" className="num">
                Unknown / misread
              </th>
              <th scope="col">Last</th>
            </tr>
          </thead>
          <tbody>
            {activity.failedScanBursts.map((burst) => (
              <tr key={`${burst.userId}-${burst.storeId ?? ''}`}>
                <td>{burst.userName}</td>
                <td>{burst.storeName ?? '—'}</td>
                <td className="num">
                  {burst.peakFailures} in {activity.burstMinutes} min
                </td>
                <td className="num">
                  {burst.notFound} / {burst.invalidCode}
                </td>
                <td>{formatInstant(burst.lastAt)}</td>
              </tr>
            ))}
          </tbody>
        </DataTable>
      )}
      {activity.crossStoreReuse.length > 0 && (
        <DataTable label="Used coupons shown at another store">
          <caption>Used coupons shown again at another store</caption>
          <thead>
            <tr>
              <th scope="col">Code</th>
              <th scope="col">Redeemed</th>
              <th scope="col">Shown again</th>
              <th scope="col" className="num">
                After
              </th>
            </tr>
          </thead>
          <tbody>
            {activity.crossStoreReuse.map((reuse) => (
              <tr key={reuse.scanId}>
                <td className="code">{reuse.displayCode}</td>
                <td>
                  {reuse.redeemedStoreName}, {formatInstant(reuse.redeemedAt)}
                </td>
                <td>
                  {reuse.refusedStoreName} by {reuse.refusedUserName}
                </td>
                <td className="num">{Math.round(reuse.secondsAfter / 60)} min</td>
              </tr>
            ))}
          </tbody>
        </DataTable>
      )}
    </section>
  );
}
