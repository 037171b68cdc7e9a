// Batches: progress of running ones (can be left and come back to: the list is read from the
// server), cancel, and the printable PDF sheets of finished ones (in parts above 10,000 coupons).
import { SHEET_MAX_COUPONS, type Batch } from '@couponscan/shared/batches';
import { useState } from 'react';
import { Link } from 'react-router';
import {
  isBatchRunning,
  useBatch,
  useCampaignBatches,
  useCancelBatch,
  useRunningBatches,
} from '../api/batches.ts';
import { formatInstant } from '../lib/display.ts';
import {
  ConfirmDialog,
  ErrorNotice,
  formatCount,
  Loading,
  PageHeading,
  StatusBadge,
} from './ui.tsx';

export function BatchProgress({ batch }: { batch: Batch }) {
  const percent = batch.count === 0 ? 0 : Math.floor((batch.generated / batch.count) * 100);
  const label = `Batch of ${formatCount(batch.count)}`;
  return (
    <div className="batch-progress" data-batch-status={batch.status}>
      <progress
        max={batch.count}
        value={batch.status === 'succeeded' ? batch.count : batch.generated}
        aria-label={label}
      />
      <span className="muted" aria-live="polite">
        {batch.status === 'queued' && 'Waiting to start…'}
        {batch.status === 'running' &&
          `${formatCount(batch.generated)} of ${formatCount(batch.count)} (${percent}%)`}
        {batch.status === 'succeeded' && `Done: ${formatCount(batch.count)} coupons issued`}
        {batch.status === 'cancelled' && 'Cancelled: no coupon of this batch was issued'}
        {batch.status === 'failed' && `Failed: ${batch.error ?? 'no coupon was issued'}`}
      </span>
    </div>
  );
}

export function sheetLinks(batch: Batch): { href: string; label: string }[] {
  if (batch.status !== 'succeeded') return [];
  const parts = Math.ceil(batch.count / SHEET_MAX_COUPONS);
  if (parts <= 1) return [{ href: `/api/batches/${batch.id}/sheet.pdf`, label: 'PDF sheet' }];
  return Array.from({ length: parts }, (_, index) => {
    const first = index * SHEET_MAX_COUPONS + 1;
    const last = Math.min(batch.count, (index + 1) * SHEET_MAX_COUPONS);
    return {
      href: `/api/batches/${batch.id}/sheet.pdf?part=${index + 1}`,
      label: `PDF part ${index + 1} (${formatCount(first)}–${formatCount(last)})`,
    };
  });
}

function CancelBatchButton({ batch }: { batch: Batch }) {
  const cancel = useCancelBatch();
  const [asking, setAsking] = useState(false);
  return (
    <>
      <button
        type="button"
        className="button button--small button--danger-outline"
        onClick={() => {
          cancel.reset();
          setAsking(true);
        }}
      >
        Cancel batch
      </button>
      {asking && (
        <ConfirmDialog
          title="Cancel this batch?"
          confirmLabel="Cancel batch"
          danger
          busy={cancel.isPending}
          onCancel={() => {
            setAsking(false);
          }}
          onConfirm={() => {
            cancel.mutate(batch.id, {
              onSuccess: () => {
                setAsking(false);
              },
            });
          }}
        >
          <p>
            None of its {formatCount(batch.count)} coupons will be issued (a batch is all or
            nothing).
          </p>
          <ErrorNotice error={cancel.error} title="Not cancelled." />
        </ConfirmDialog>
      )}
    </>
  );
}

/** One batch, polled while it runs. */
export function LiveBatch({
  batch: initial,
  campaignName,
}: {
  batch: Batch;
  campaignName?: string;
}) {
  const query = useBatch(initial.id, initial);
  const batch = query.data ?? initial;
  return (
    <li className="batch">
      <div className="batch-head">
        <strong>
          {campaignName !== undefined ? (
            <Link to={`/console/campaigns/${batch.campaignId}`}>{campaignName}</Link>
          ) : (
            `${formatCount(batch.count)} coupons`
          )}
        </strong>
        <StatusBadge status={batch.status} />
        <span className="muted">
          {batch.source === 'imported'
            ? 'imported'
            : batch.prefix !== null
              ? `prefix ${batch.prefix}`
              : 'no prefix'}{' '}
          · {formatInstant(batch.createdAt)}
        </span>
      </div>
      <BatchProgress batch={batch} />
      <div className="actions-row">
        {isBatchRunning(batch) && <CancelBatchButton batch={batch} />}
        {sheetLinks(batch).map((link) => (
          <a key={link.href} className="button button--small" href={link.href} download>
            {link.label}
          </a>
        ))}
      </div>
      <ErrorNotice error={query.error} />
    </li>
  );
}

export function CampaignBatches({ campaignId }: { campaignId: string }) {
  const batches = useCampaignBatches(campaignId);
  return (
    <section className="panel" aria-labelledby="batches-title">
      <h2 id="batches-title">Batches</h2>
      <ErrorNotice error={batches.error} />
      {batches.isPending && <Loading what="batches" />}
      {batches.data?.length === 0 && (
        <p className="muted">
          No coupons issued yet.{' '}
          <Link to={`/console/campaigns/${campaignId}/issue`}>Issue coupons</Link> or import
          existing codes.
        </p>
      )}
      <ul className="batch-list">
        {batches.data?.map((batch) => (
          <LiveBatch key={batch.id} batch={batch} />
        ))}
      </ul>
    </section>
  );
}

export function RunningBatchesPage() {
  const running = useRunningBatches();
  return (
    <section className="console-page">
      <PageHeading title="Batches in progress">Batches in progress</PageHeading>
      <p className="muted">
        Large batches are issued in the background: you can leave and come back here to follow them.
      </p>
      <ErrorNotice error={running.error} />
      {running.isPending && <Loading what="batches" />}
      {running.data?.length === 0 && (
        <p className="empty-state">
          No batch is running. Finished batches are listed on their campaign’s overview.
        </p>
      )}
      <ul className="batch-list">
        {running.data?.map((batch) => (
          <LiveBatch key={batch.id} batch={batch} campaignName={batch.campaignName} />
        ))}
      </ul>
    </section>
  );
}
