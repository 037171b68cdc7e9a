// Campaigns: search by name, filter by status, cursor pages ("Show more"); each row links to the
// campaign. Filters live in the URL so that a list can be bookmarked and the back button works.
import { CAMPAIGN_STATUSES, type CampaignStatus } from '@couponscan/shared/campaigns';
import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { formatDiscount } from '../../../lib/format.ts';
import { useCampaignList } from '../api/campaigns.ts';
import { formatValidity } from '../lib/display.ts';
import {
  DataRow,
  DataTable,
  ErrorNotice,
  Field,
  formatCount,
  formatRate,
  Loading,
  PageHeading,
  ShowMore,
  StatusBadge,
} from './ui.tsx';

function isStatus(value: string | null): value is CampaignStatus {
  return value !== null && (CAMPAIGN_STATUSES as readonly string[]).includes(value);
}

export function CampaignsList() {
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const statusParam = params.get('status');
  const status = isStatus(statusParam) ? statusParam : '';
  const [search, setSearch] = useState(q);

  // typing waits for a pause before it asks the server
  useEffect(() => {
    if (search.trim() === q) return undefined;
    const timer = setTimeout(() => {
      setParams(
        (previous) => {
          const next = new URLSearchParams(previous);
          if (search.trim() === '') next.delete('q');
          else next.set('q', search.trim());
          return next;
        },
        { replace: true },
      );
    }, 300);
    return () => {
      clearTimeout(timer);
    };
  }, [search, q, setParams]);

  const list = useCampaignList({ q, status });
  const campaigns = list.data?.pages.flatMap((page) => page.items) ?? [];
  const filtered = q !== '' || status !== '';

  return (
    <section className="console-page">
      <div className="page-head">
        <PageHeading title="Campaigns">Campaigns</PageHeading>
        <Link className="button button--primary" to="/console/campaigns/new">
          New campaign
        </Link>
      </div>
      <form
        className="filters"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
        }}
      >
        <Field label="Search by name">
          {(props) => (
            <input
              {...props}
              type="search"
              value={search}
              onChange={(event) => {
                setSearch(event.target.value);
              }}
              maxLength={200}
            />
          )}
        </Field>
        <Field label="Status">
          {(props) => (
            <select
              {...props}
              value={status}
              onChange={(event) => {
                setParams((previous) => {
                  const next = new URLSearchParams(previous);
                  if (event.target.value === '') next.delete('status');
                  else next.set('status', event.target.value);
                  return next;
                });
              }}
            >
              <option value="">Any status</option>
              {CAMPAIGN_STATUSES.map((value) => (
                <option key={value} value={value}>
                  {value}
                </option>
              ))}
            </select>
          )}
        </Field>
      </form>

      <ErrorNotice error={list.error} title="The campaigns could not be loaded." />
      {list.isPending && <Loading what="campaigns" />}
      {list.isSuccess && campaigns.length === 0 && !filtered && (
        <div className="empty-state">
          <h2>No campaigns yet</h2>
          <p>
            A campaign says what a coupon gives (a percentage, an amount off or a free item), when
            and where it is valid. Create one, then issue its coupons and hand them out.
          </p>
          <Link className="button button--primary" to="/console/campaigns/new">
            Create your first campaign
          </Link>
        </div>
      )}
      {list.isSuccess && campaigns.length === 0 && filtered && (
        <div className="empty-state">
          <h2>No campaign matches</h2>
          <p>
            Nothing is called “{q}”{status !== '' ? ` with status ${status}` : ''}.
          </p>
          <button
            type="button"
            className="button"
            onClick={() => {
              setSearch('');
              setParams(new URLSearchParams());
            }}
          >
            Clear the filters
          </button>
        </div>
      )}
      {campaigns.length > 0 && (
        <DataTable
          label="Campaigns"
          columns={[
            { label: 'Name' },
            { label: 'Status' },
            { label: 'Discount' },
            { label: 'Valid' },
            { label: 'Issued', numeric: true },
            { label: 'Redeemed', numeric: true },
            { label: 'Rate', numeric: true },
          ]}
        >
          {campaigns.map((campaign) => (
            <DataRow key={campaign.id}>
              <th scope="row">
                <Link to={`/console/campaigns/${campaign.id}`}>{campaign.name}</Link>
              </th>
              <td>
                <StatusBadge status={campaign.status} />
              </td>
              <td>{formatDiscount(campaign.discount)}</td>
              <td>{formatValidity(campaign, campaign.timeZone)}</td>
              <td className="num">{formatCount(campaign.counts.issued)}</td>
              <td className="num">{formatCount(campaign.counts.redeemed)}</td>
              <td className="num">{formatRate(campaign.redemptionRate)}</td>
            </DataRow>
          ))}
        </DataTable>
      )}
      <ShowMore pages={list} what="campaigns" />
    </section>
  );
}
