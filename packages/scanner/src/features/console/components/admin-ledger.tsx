// Administration: the ledger of redemptions and reversals, filtered by campaign, store, staff and
// days (in the viewer's time zone); CSV export of the same selection; reversing a redemption with
// a reason.
import type { Campaign } from '@couponscan/shared/campaigns';
import type { Page } from '@couponscan/shared/common';
import { ReversalBodySchema, type LedgerEntry } from '@couponscan/shared/redemptions';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { apiRequest } from '../../../lib/api-client.ts';
import {
  ledgerQuery,
  useLedger,
  useReverseRedemption,
  useUsers,
  type LedgerFilter,
} from '../api/admin.ts';
import { useStores } from '../api/campaigns.ts';
import { withQuery } from '../api/query-string.ts';
import { formatInstant } from '../lib/display.ts';
import { validate } from '../lib/validation.ts';
import { endOfDay, isLocalDate, startOfDay, viewerTimeZone } from '../lib/zoned-dates.ts';
import {
  ConfirmDialog,
  DataRow,
  DataTable,
  ErrorNotice,
  Field,
  Loading,
  PageHeading,
  ShowMore,
} from './ui.tsx';

function useAllCampaigns() {
  return useQuery({
    queryKey: ['campaigns', 'all-names'],
    queryFn: ({ signal }) =>
      apiRequest<Page<Campaign>>('/api/campaigns', { query: { limit: 500 }, signal }).then(
        (page) => page.items,
      ),
  });
}

export default function AdminLedger() {
  const [params, setParams] = useSearchParams();
  const tz = viewerTimeZone();
  const fromDay = params.get('from') ?? '';
  const toDay = params.get('to') ?? '';
  const filter: LedgerFilter = {
    campaignId: params.get('campaignId') ?? '',
    storeId: params.get('storeId') ?? '',
    userId: params.get('userId') ?? '',
    from: isLocalDate(fromDay) ? startOfDay(fromDay, tz).toISOString() : '',
    to: isLocalDate(toDay) ? endOfDay(toDay, tz).toISOString() : '',
  };
  const ledger = useLedger(filter);
  const campaigns = useAllCampaigns();
  const stores = useStores();
  const users = useUsers();
  const reverse = useReverseRedemption();
  const [undoing, setUndoing] = useState<LedgerEntry | null>(null);
  const [reason, setReason] = useState('');
  const reasonError = validate(ReversalBodySchema, { reason: reason.trim() })['/reason'];

  const setParam = (name: string, value: string) => {
    setParams((previous) => {
      const next = new URLSearchParams(previous);
      if (value === '') next.delete(name);
      else next.set(name, value);
      return next;
    });
  };
  const entries = ledger.data?.pages.flatMap((page) => page.items) ?? [];
  const { userId: _ignored, ...csvFilter } = ledgerQuery(filter);
  const dayRangeError =
    filter.from !== '' && filter.to !== '' && filter.to <= filter.from
      ? 'The last day cannot be before the first day.'
      : undefined;

  return (
    <section className="console-page">
      <PageHeading title="Ledger">Ledger</PageHeading>
      <form
        className="filters filters--wide"
        onSubmit={(event) => {
          event.preventDefault();
        }}
      >
        <Field label="Campaign">
          {(props) => (
            <select
              {...props}
              value={filter.campaignId}
              onChange={(event) => {
                setParam('campaignId', event.target.value);
              }}
            >
              <option value="">Every campaign</option>
              {(campaigns.data ?? []).map((campaign) => (
                <option key={campaign.id} value={campaign.id}>
                  {campaign.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Store">
          {(props) => (
            <select
              {...props}
              value={filter.storeId}
              onChange={(event) => {
                setParam('storeId', event.target.value);
              }}
            >
              <option value="">Every store</option>
              {(stores.data ?? []).map((store) => (
                <option key={store.id} value={store.id}>
                  {store.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Staff">
          {(props) => (
            <select
              {...props}
              value={filter.userId}
              onChange={(event) => {
                setParam('userId', event.target.value);
              }}
            >
              <option value="">Everybody</option>
              {(users.data ?? [])
                .filter((user) => user.role !== 'marketer')
                .map((user) => (
                  <option key={user.id} value={user.id}>
                    {user.name}
                  </option>
                ))}
            </select>
          )}
        </Field>
        <Field label="From day">
          {(props) => (
            <input
              {...props}
              type="date"
              value={fromDay}
              onChange={(event) => {
                setParam('from', event.target.value);
              }}
            />
          )}
        </Field>
        <Field label="To day (included)" error={dayRangeError}>
          {(props) => (
            <input
              {...props}
              type="date"
              value={toDay}
              onChange={(event) => {
                setParam('to', event.target.value);
              }}
            />
          )}
        </Field>
      </form>
      <div className="actions-row">
        <a
          className="button button--small"
          href={withQuery('/api/redemptions.csv', csvFilter)}
          download
        >
          Export CSV
        </a>
        <span className="muted small">
          Days in {tz.replaceAll('_', ' ')}. The CSV holds every entry of the campaign, store and
          days chosen.
        </span>
      </div>
      <ErrorNotice error={ledger.error} title="The ledger could not be loaded." />
      {ledger.isPending && <Loading what="the ledger" />}
      {ledger.isSuccess && entries.length === 0 && <p className="empty-state">No entries match.</p>}
      {entries.length > 0 && (
        <DataTable
          label="Ledger entries"
          columns={[
            { label: 'When' },
            { label: 'What' },
            { label: 'Code' },
            { label: 'Campaign' },
            { label: 'Store' },
            { label: 'By' },
            { label: 'Actions', actions: true },
          ]}
        >
          {entries.map((entry) => (
            <DataRow key={entry.id}>
              <td>{formatInstant(entry.createdAt)}</td>
              <td>
                {entry.kind === 'redemption'
                  ? entry.reversedById === null
                    ? 'Redeemed'
                    : 'Redeemed (undone)'
                  : `Undone: ${entry.reason ?? ''}`}
              </td>
              <td className="code">{entry.displayCode}</td>
              <td>{entry.campaignName}</td>
              <td>{entry.storeName}</td>
              <td>{entry.userName}</td>
              <td>
                {entry.kind === 'redemption' && entry.reversedById === null && (
                  <button
                    type="button"
                    className="button button--small button--danger-outline"
                    aria-label={`Reverse the redemption of ${entry.displayCode}`}
                    onClick={() => {
                      reverse.reset();
                      setReason('');
                      setUndoing(entry);
                    }}
                  >
                    Reverse
                  </button>
                )}
              </td>
            </DataRow>
          ))}
        </DataTable>
      )}
      <ShowMore pages={ledger} what="entries" />
      {undoing !== null && (
        <ConfirmDialog
          title={`Reverse the redemption of ${undoing.displayCode}?`}
          confirmLabel="Reverse redemption"
          danger
          busy={reverse.isPending}
          canConfirm={reasonError === undefined}
          onCancel={() => {
            setUndoing(null);
          }}
          onConfirm={() => {
            reverse.mutate(
              { id: undoing.id, reason: reason.trim() },
              {
                onSuccess: () => {
                  setUndoing(null);
                },
              },
            );
          }}
        >
          <p>
            Redeemed at {undoing.storeName} by {undoing.userName},{' '}
            {formatInstant(undoing.createdAt)}. The coupon can be used again; the ledger keeps both
            entries.
          </p>
          <Field label="Reason" error={reason === '' ? undefined : reasonError}>
            {(props) => (
              <textarea
                {...props}
                rows={2}
                maxLength={500}
                value={reason}
                onChange={(event) => {
                  setReason(event.target.value);
                }}
              />
            )}
          </Field>
          <ErrorNotice error={reverse.error} title="Not reversed." />
        </ConfirmDialog>
      )}
    </section>
  );
}
