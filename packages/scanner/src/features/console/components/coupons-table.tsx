// A campaign's coupons: status filter, code search, cursor pages, and CSV downloads. Each code
// links to its own page (redemptions, QR image, void).
import { COUPON_STATUSES, type CouponStatus } from '@couponscan/shared/coupons';
import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useCouponList } from '../api/coupons.ts';
import { withQuery } from '../api/query-string.ts';
import { formatInstant } from '../lib/display.ts';
import { useCampaignId } from './campaign-page.tsx';
import { DataRow, DataTable, ErrorNotice, Field, Loading, ShowMore, StatusBadge } from './ui.tsx';

function isCouponStatus(value: string | null): value is CouponStatus {
  return value !== null && (COUPON_STATUSES as readonly string[]).includes(value);
}

export function CouponsTable() {
  const campaignId = useCampaignId();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const statusParam = params.get('status');
  const status = isCouponStatus(statusParam) ? statusParam : '';
  const [search, setSearch] = useState(q);

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

  const list = useCouponList(campaignId, { status, q });
  const coupons = list.data?.pages.flatMap((page) => page.items) ?? [];
  const csv = `/api/campaigns/${campaignId}/coupons.csv`;

  return (
    <section className="panel" aria-labelledby="coupons-title">
      <h2 id="coupons-title">Coupons</h2>
      <div className="actions-row">
        <a className="button button--small" href={csv} download>
          Download CSV (all)
        </a>
        <a className="button button--small" href={withQuery(csv, { status: 'unused' })} download>
          Download CSV (unused)
        </a>
      </div>
      <form
        className="filters"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
        }}
      >
        <Field
          label="Search by code"
          hint="Finds codes that start with what you type; dashes and case do not matter."
        >
          {(props) => (
            <input
              {...props}
              type="search"
              value={search}
              placeholder="Code starts with…"
              maxLength={300}
              autoCapitalize="characters"
              onChange={(event) => {
                setSearch(event.target.value);
              }}
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
              {COUPON_STATUSES.map((value) => (
                <option key={value} value={value}>
                  {value}
                </option>
              ))}
            </select>
          )}
        </Field>
      </form>
      <ErrorNotice error={list.error} title="The coupons could not be loaded." />
      {list.isPending && <Loading what="coupons" />}
      {list.isSuccess && coupons.length === 0 && (
        <p className="empty-state">
          {q !== '' || status !== '' ? (
            'No coupon matches.'
          ) : (
            <>
              No coupons yet.{' '}
              <Link to={`/console/campaigns/${campaignId}/issue`}>Issue coupons</Link>.
            </>
          )}
        </p>
      )}
      {coupons.length > 0 && (
        <DataTable
          label="Coupons"
          columns={[
            { label: 'Code' },
            { label: 'Status' },
            { label: 'Used', numeric: true },
            { label: 'Issued' },
          ]}
        >
          {coupons.map((coupon) => (
            <DataRow key={coupon.id}>
              <th scope="row" className="code">
                <Link to={`/console/campaigns/${campaignId}/coupons/${coupon.code}`}>
                  {coupon.displayCode}
                </Link>
              </th>
              <td>
                <StatusBadge status={coupon.status} />
              </td>
              <td className="num">
                {coupon.redemptionCount} of {coupon.maxRedemptions}
              </td>
              <td>{formatInstant(coupon.createdAt)}</td>
            </DataRow>
          ))}
        </DataTable>
      )}
      <ShowMore pages={list} what="coupons" />
    </section>
  );
}
