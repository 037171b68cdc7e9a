// One campaign: its heading, what it gives and when, pause / resume / archive, and tabs for the
// overview (its dashboard and batches), coupons, issuing and editing.
import type { CampaignStatus } from '@couponscan/shared/campaigns';
import { useState } from 'react';
import { NavLink, Outlet, useParams } from 'react-router';
import { formatDiscount } from '../../../lib/format.ts';
import { useCampaign, useStores, useUpdateCampaign } from '../api/campaigns.ts';
import { formatValidity } from '../lib/display.ts';
import { lastSecondBefore } from '../lib/zoned-dates.ts';
import { CampaignBatches } from './batches.tsx';
import { Dashboard } from './dashboard.tsx';
import {
  ConfirmDialog,
  ErrorNotice,
  ExactInstant,
  Loading,
  PageHeading,
  StatusBadge,
} from './ui.tsx';

const ACTIONS: Record<CampaignStatus, { to: CampaignStatus; label: string; explain: string }[]> = {
  active: [
    {
      to: 'paused',
      label: 'Pause',
      explain:
        'Staff will be told the campaign is paused; its coupons are refused until you resume it.',
    },
    {
      to: 'archived',
      label: 'Archive',
      explain:
        'Its coupons are refused for good and it leaves the list of active campaigns. You can still read its figures.',
    },
  ],
  paused: [
    { to: 'active', label: 'Resume', explain: 'Its coupons can be redeemed again.' },
    {
      to: 'archived',
      label: 'Archive',
      explain: 'Its coupons are refused for good and it leaves the list of active campaigns.',
    },
  ],
  archived: [{ to: 'active', label: 'Reactivate', explain: 'Its coupons can be redeemed again.' }],
};

export function useCampaignId(): string {
  const { campaignId } = useParams();
  if (campaignId === undefined) throw new Error('no :campaignId in the route');
  return campaignId;
}

export function CampaignLayout() {
  const id = useCampaignId();
  const campaign = useCampaign(id);
  const stores = useStores();
  const update = useUpdateCampaign(id);
  const [asking, setAsking] = useState<(typeof ACTIONS)[CampaignStatus][number] | null>(null);

  if (campaign.isPending) return <Loading what="the campaign" />;
  if (campaign.isError) {
    return (
      <section className="console-page">
        <PageHeading title="Campaign">Campaign</PageHeading>
        <ErrorNotice error={campaign.error} />
      </section>
    );
  }
  const data = campaign.data;
  const storeNames =
    data.storeIds.length === 0
      ? 'every store'
      : data.storeIds
          .map((storeId) => stores.data?.find((store) => store.id === storeId)?.name ?? '…')
          .join(', ');
  const tab = ({ isActive }: { isActive: boolean }) => (isActive ? 'tab tab--active' : 'tab');

  return (
    <section className="console-page">
      <div className="page-head">
        <PageHeading title={data.name}>{data.name}</PageHeading>
        <StatusBadge status={data.status} />
      </div>
      <dl className="facts">
        <div>
          <dt>Discount</dt>
          <dd>
            {formatDiscount(data.discount)}
            {data.discount.type !== 'free_item' && data.discount.description !== ''
              ? ` · ${data.discount.description}`
              : ''}
          </dd>
        </div>
        <div className="facts-wide">
          <dt>Valid</dt>
          <dd data-testid="campaign-validity">
            {formatValidity(data, data.timeZone)}
            <span className="muted"> · days in {data.timeZone.replaceAll('_', ' ')}</span>
            {data.validFrom !== null && (
              <span className="exact-instant">
                Starts <ExactInstant instant={new Date(data.validFrom)} timeZone={data.timeZone} />
              </span>
            )}
            {data.validUntil !== null && (
              <span className="exact-instant">
                Ends{' '}
                <ExactInstant
                  instant={lastSecondBefore(new Date(data.validUntil))}
                  timeZone={data.timeZone}
                />
              </span>
            )}
          </dd>
        </div>
        <div>
          <dt>Stores</dt>
          <dd>{storeNames}</dd>
        </div>
        <div>
          <dt>Uses per coupon</dt>
          <dd>{data.maxRedemptionsPerCoupon}</dd>
        </div>
      </dl>
      <div className="actions-row">
        {ACTIONS[data.status].map((action) => (
          <button
            key={action.to}
            type="button"
            className={`button ${action.to === 'archived' ? 'button--danger-outline' : ''}`}
            onClick={() => {
              update.reset();
              setAsking(action);
            }}
          >
            {action.label}
          </button>
        ))}
      </div>
      {asking !== null && (
        <ConfirmDialog
          title={`${asking.label} “${data.name}”?`}
          confirmLabel={asking.label}
          danger={asking.to !== 'active'}
          busy={update.isPending}
          onCancel={() => {
            setAsking(null);
          }}
          onConfirm={() => {
            update.mutate(
              { status: asking.to },
              {
                onSuccess: () => {
                  setAsking(null);
                },
              },
            );
          }}
        >
          <p>{asking.explain}</p>
          <ErrorNotice error={update.error} title="Not changed." />
        </ConfirmDialog>
      )}
      <nav className="tabs" aria-label="Campaign">
        <NavLink to={`/console/campaigns/${id}`} end className={tab}>
          Overview
        </NavLink>
        <NavLink to={`/console/campaigns/${id}/coupons`} className={tab}>
          Coupons
        </NavLink>
        <NavLink to={`/console/campaigns/${id}/issue`} className={tab}>
          Issue coupons
        </NavLink>
        <NavLink to={`/console/campaigns/${id}/edit`} className={tab}>
          Edit
        </NavLink>
      </nav>
      <Outlet />
    </section>
  );
}

export function CampaignOverview() {
  const id = useCampaignId();
  return (
    <>
      <Dashboard campaignId={id} />
      <CampaignBatches campaignId={id} />
    </>
  );
}
