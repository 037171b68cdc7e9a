// The dashboard's panels: headline figures (data-metric="issued" | "redeemed" |
// "redemption-rate"), redemptions per day in the viewer's time zone and per store (charts, loaded
// on demand), refused scans by outcome, the latest redemptions and suspicious activity.
import type { StatsOverview, SuspiciousActivity } from '@couponscan/shared/stats';
import { lazy, Suspense } from 'react';
import { Link } from 'react-router';
import { formatInstant, formatLocalDate, formatShortLocalDate } from '../lib/display.ts';
import { DataRow, DataTable, formatCount, formatRate } from './ui.tsx';

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
        {/* three short columns fit on any phone: a table still */}
        <DataTable
          label="Redemptions per day"
          layout="table"
          columns={[
            { label: 'Day' },
            { label: 'Redemptions', numeric: true },
            { label: 'Undone', numeric: true },
          ]}
        >
          {overview.perDay.map((day) => (
            <DataRow key={day.date}>
              <td>{formatLocalDate(day.date)}</td>
              <td className="num">{formatCount(day.redemptions)}</td>
              <td className="num">{formatCount(day.reversals)}</td>
            </DataRow>
          ))}
        </DataTable>
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
            <DataTable
              label="Redemptions per store"
              layout="table"
              columns={[{ label: 'Store' }, { label: 'Redemptions', numeric: true }]}
            >
              {overview.perStore.map((store) => (
                <DataRow key={store.storeId}>
                  <td>{store.storeName}</td>
                  <td className="num">{formatCount(store.redemptions)}</td>
                </DataRow>
              ))}
            </DataTable>
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
        <DataTable
          label="Refused scans"
          layout="table"
          columns={[{ label: 'Why' }, { label: 'Scans', numeric: true }]}
        >
          {overview.refusals.map((refusal) => (
            <DataRow key={refusal.outcome} data-outcome={refusal.outcome}>
              <td>{OUTCOME_WORDS[refusal.outcome] ?? refusal.outcome}</td>
              <td className="num">{formatCount(refusal.count)}</td>
            </DataRow>
          ))}
        </DataTable>
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
        <DataTable
          label="Latest redemptions"
          columns={[
            { label: 'When' },
            { label: 'Code' },
            showCampaign && { label: 'Campaign' },
            { label: 'Store' },
            { label: 'Staff' },
          ]}
        >
          {overview.latest.map((entry) => (
            <DataRow key={entry.id} className={entry.reversed ? 'row--reversed' : undefined}>
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
            </DataRow>
          ))}
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
        <DataTable
          label="Bursts of unknown codes"
          caption="Bursts of unknown codes"
          columns={[
            { label: 'Staff' },
            { label: 'Store' },
            { label: 'Peak', numeric: true },
            { label: 'Unknown / misread', numeric: true },
            { label: 'Last' },
          ]}
        >
          {activity.failedScanBursts.map((burst) => (
            <DataRow key={`${burst.userId}-${burst.storeId ?? ''}`}>
              <td>{burst.userName}</td>
              <td>{burst.storeName ?? '—'}</td>
              <td className="num">
                {burst.peakFailures} in {activity.burstMinutes} min
              </td>
              <td className="num">
                {burst.notFound} / {burst.invalidCode}
              </td>
              <td>{formatInstant(burst.lastAt)}</td>
            </DataRow>
          ))}
        </DataTable>
      )}
      {activity.crossStoreReuse.length > 0 && (
        <DataTable
          label="Used coupons shown at another store"
          caption="Used coupons shown again at another store"
          columns={[
            { label: 'Code' },
            { label: 'Redeemed' },
            { label: 'Shown again' },
            { label: 'After', numeric: true },
          ]}
        >
          {activity.crossStoreReuse.map((reuse) => (
            <DataRow key={reuse.scanId}>
              <td className="code">{reuse.displayCode}</td>
              <td>
                {reuse.redeemedStoreName}, {formatInstant(reuse.redeemedAt)}
              </td>
              <td>
                {reuse.refusedStoreName} by {reuse.refusedUserName}
              </td>
              <td className="num">{Math.round(reuse.secondsAfter / 60)} min</td>
            </DataRow>
          ))}
        </DataTable>
      )}
    </section>
  );
}
