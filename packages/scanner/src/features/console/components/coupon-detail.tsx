// One coupon: its state, its redemptions, its QR code (to print or send), and voiding it with a
// reason after a confirmation.
import { VoidCouponBodySchema } from '@couponscan/shared/coupons';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { useCouponPreview, useVoidCoupon } from '../api/coupons.ts';
import { formatInstant } from '../lib/display.ts';
import { validate } from '../lib/validation.ts';
import { useCampaignId } from './campaign-page.tsx';
import {
  ConfirmDialog,
  DataRow,
  DataTable,
  ErrorNotice,
  Field,
  Loading,
  StatusBadge,
} from './ui.tsx';

export function CouponDetail() {
  const campaignId = useCampaignId();
  const { code = '' } = useParams();
  const preview = useCouponPreview(code);
  const voiding = useVoidCoupon(campaignId);
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState('');
  const reasonError = validate(VoidCouponBodySchema, { reason: reason.trim() })['/reason'];

  if (preview.isPending) return <Loading what="the coupon" />;
  if (preview.isError) return <ErrorNotice error={preview.error} />;
  const { coupon, redemptions } = preview.data;
  const qr = `/api/coupons/${encodeURIComponent(coupon.code)}/qr`;

  return (
    <section className="panel coupon-detail" aria-labelledby="coupon-title">
      <p>
        <Link to={`/console/campaigns/${campaignId}/coupons`}>← All coupons</Link>
      </p>
      <h2 id="coupon-title" className="code">
        {coupon.displayCode}
      </h2>
      <div className="coupon-grid">
        <figure className="qr">
          <img
            src={`${qr}.svg?size=240`}
            width={240}
            height={240}
            alt={`QR code of ${coupon.displayCode}`}
          />
          <figcaption>
            <a href={`${qr}.png?size=1024`} download={`${coupon.code}.png`}>
              Download PNG
            </a>{' '}
            ·{' '}
            <a href={`${qr}.svg?size=1024`} download={`${coupon.code}.svg`}>
              SVG
            </a>
          </figcaption>
        </figure>
        <div>
          <dl className="facts">
            <div>
              <dt>Status</dt>
              <dd>
                <StatusBadge status={coupon.status} />
              </dd>
            </div>
            <div>
              <dt>Used</dt>
              <dd>
                {coupon.redemptionCount} of {coupon.maxRedemptions}
              </dd>
            </div>
            <div>
              <dt>Issued</dt>
              <dd>{formatInstant(coupon.createdAt)}</dd>
            </div>
            {coupon.voidedAt !== null && (
              <div>
                <dt>Voided</dt>
                <dd>
                  {formatInstant(coupon.voidedAt)}: {coupon.voidReason}
                </dd>
              </div>
            )}
          </dl>
          {coupon.status !== 'voided' && (
            <button
              type="button"
              className="button button--danger-outline"
              onClick={() => {
                voiding.reset();
                setReason('');
                setAsking(true);
              }}
            >
              Void coupon
            </button>
          )}
        </div>
      </div>

      <h3>Redemptions</h3>
      {redemptions.length === 0 ? (
        <p className="muted">Not redeemed yet.</p>
      ) : (
        <DataTable
          label="Redemptions"
          columns={[{ label: 'When' }, { label: 'Store' }, { label: 'Staff' }]}
        >
          {redemptions.map((redemption) => (
            <DataRow key={redemption.redemptionId}>
              <td>{formatInstant(redemption.redeemedAt)}</td>
              <td>{redemption.storeName}</td>
              <td>{redemption.userName}</td>
            </DataRow>
          ))}
        </DataTable>
      )}

      {asking && (
        <ConfirmDialog
          title={`Void ${coupon.displayCode}?`}
          confirmLabel="Void coupon"
          danger
          busy={voiding.isPending}
          canConfirm={reasonError === undefined}
          onCancel={() => {
            setAsking(false);
          }}
          onConfirm={() => {
            voiding.mutate(
              { code: coupon.code, reason: reason.trim() },
              {
                onSuccess: () => {
                  setAsking(false);
                },
              },
            );
          }}
        >
          <p>A voided coupon is refused at every till. This cannot be undone.</p>
          <Field
            label="Reason"
            error={reason === '' ? undefined : reasonError}
            hint="Kept with the coupon."
          >
            {(props) => (
              <textarea
                {...props}
                value={reason}
                maxLength={500}
                rows={2}
                onChange={(event) => {
                  setReason(event.target.value);
                }}
              />
            )}
          </Field>
          <ErrorNotice error={voiding.error} title="Not voided." />
        </ConfirmDialog>
      )}
    </section>
  );
}
