// Issue coupons: how many and an optional prefix, the code format and a sample first, a
// confirmation, then the batch's progress (large batches run in the background). Below it, the
// import of existing codes (import-coupons.tsx).
import {
  BATCH_INLINE_MAX_COUNT,
  BATCH_MAX_COUNT,
  CreateBatchBodySchema,
  type Batch,
  type CreateBatchBody,
} from '@couponscan/shared/batches';
import { formatCouponCode, generateCouponCode, parsePrefix } from '@couponscan/shared/code';
import { useMemo, useState, type SubmitEvent } from 'react';
import { Link } from 'react-router';
import { isApiError } from '../../../lib/api-client.ts';
import { useCreateBatch } from '../api/batches.ts';
import { useCampaign } from '../api/campaigns.ts';
import { serverFieldErrors, validate, type FieldErrors } from '../lib/validation.ts';
import { LiveBatch } from './batches.tsx';
import { ImportCoupons } from './import-coupons.tsx';
import { useCampaignId } from './campaign-page.tsx';
import { ConfirmDialog, ErrorNotice, Field, formatCount } from './ui.tsx';

export function batchBodyOf(count: string, prefix: string): CreateBatchBody {
  const trimmed = prefix.trim();
  const number = count.trim() === '' ? Number.NaN : Number(count.trim().replaceAll(/[\s,._]/g, ''));
  return trimmed === '' ? { count: number } : { count: number, prefix: trimmed };
}

/** The schema's limits and the API's prefix rule (2–8 characters, no I, L, O or U). */
export function checkBatch(body: CreateBatchBody): FieldErrors {
  const errors = validate(CreateBatchBodySchema, body);
  if (Number.isNaN(body.count)) errors['/count'] = 'Enter how many coupons to issue.';
  if (body.prefix !== undefined) {
    const parsed = parsePrefix(body.prefix);
    if (!parsed.ok)
      errors['/prefix'] = parsed.message.charAt(0).toUpperCase() + parsed.message.slice(1) + '.';
  }
  return errors;
}

/** "SPRNG-XXXX-XXXX-XXXX-XXXX-XXXX" */
function codeFormat(prefix: string): string {
  return formatCouponCode(generateCouponCode(prefix)).replace(/(^|-)[0-9A-Z]{4}(?=-|$)/g, (match) =>
    match.replace(/[0-9A-Z]/g, 'X'),
  );
}

export function IssueCoupons() {
  const campaignId = useCampaignId();
  const campaign = useCampaign(campaignId);
  const create = useCreateBatch(campaignId);
  const [count, setCount] = useState('100');
  const [prefix, setPrefix] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [confirming, setConfirming] = useState<CreateBatchBody | null>(null);
  const [issued, setIssued] = useState<Batch | null>(null);

  const body = batchBodyOf(count, prefix);
  const live = checkBatch(body);
  const parsedPrefix = body.prefix === undefined ? null : parsePrefix(body.prefix);
  const normalisedPrefix = parsedPrefix?.ok === true ? parsedPrefix.prefix : '';
  const prefixError = live['/prefix'];
  const sample = useMemo(
    () =>
      prefixError === undefined ? formatCouponCode(generateCouponCode(normalisedPrefix)) : null,
    [normalisedPrefix, prefixError],
  );

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    setErrors(live);
    if (Object.keys(live).length > 0) {
      requestAnimationFrame(() => {
        document.querySelector<HTMLElement>('.issue-form [aria-invalid="true"]')?.focus();
      });
      return;
    }
    create.reset();
    setConfirming(body);
  };

  const inactiveStatus =
    campaign.data !== undefined && campaign.data.status !== 'active' ? campaign.data.status : null;

  return (
    <>
      <section className="panel" aria-labelledby="issue-title">
        <h2 id="issue-title">Issue coupons</h2>
        {inactiveStatus !== null && (
          <p className="notice">
            This campaign is {inactiveStatus}: its coupons are refused at the till until it is
            active.
          </p>
        )}
        <form className="issue-form" noValidate onSubmit={submit}>
          <div className="field-row">
            <Field
              label="How many coupons"
              error={errors['/count']}
              hint={`1 to ${formatCount(BATCH_MAX_COUNT)}. Up to ${formatCount(BATCH_INLINE_MAX_COUNT)} are ready at once; more are issued in the background.`}
            >
              {(props) => (
                <input
                  {...props}
                  inputMode="numeric"
                  value={count}
                  onChange={(event) => {
                    setCount(event.target.value);
                    setErrors({});
                  }}
                />
              )}
            </Field>
            <Field
              label="Prefix (optional)"
              error={errors['/prefix']}
              hint="2 to 8 letters or digits put before every code, e.g. SPRNG. Not I, L, O or U (easily misread)."
            >
              {(props) => (
                <input
                  {...props}
                  value={prefix}
                  maxLength={40}
                  autoCapitalize="characters"
                  autoComplete="off"
                  onChange={(event) => {
                    setPrefix(event.target.value);
                    setErrors({});
                  }}
                />
              )}
            </Field>
          </div>
          <dl className="facts">
            <div>
              <dt>Code format</dt>
              <dd className="code">
                {live['/prefix'] === undefined ? codeFormat(normalisedPrefix) : '—'}
              </dd>
            </div>
            <div>
              <dt>Sample code</dt>
              <dd className="code" data-testid="sample-code">
                {sample ?? '—'}
              </dd>
            </div>
          </dl>
          <ErrorNotice error={create.error} title="Not issued." />
          <button type="submit" className="button button--primary" disabled={create.isPending}>
            Issue coupons…
          </button>
        </form>
      </section>

      {confirming !== null && (
        <ConfirmDialog
          title={`Issue ${formatCount(confirming.count)} coupons?`}
          confirmLabel={`Issue ${formatCount(confirming.count)}`}
          busy={create.isPending}
          onCancel={() => {
            setConfirming(null);
          }}
          onConfirm={() => {
            create.mutate(confirming, {
              onSuccess: (batch) => {
                setConfirming(null);
                setIssued(batch);
              },
              onError: (error) => {
                setConfirming(null);
                if (isApiError(error)) setErrors(serverFieldErrors(error.problem.errors));
              },
            });
          }}
        >
          <p>
            For <strong>{campaign.data?.name}</strong>
            {confirming.prefix !== undefined ? (
              <>
                , every code starting with <span className="code">{normalisedPrefix}</span>
              </>
            ) : null}
            . Issued coupons cannot be deleted, only voided.
          </p>
          <p>
            Sample: <span className="code">{sample}</span>
          </p>
        </ConfirmDialog>
      )}

      {issued !== null && (
        <section className="panel" aria-labelledby="issued-title">
          <h2 id="issued-title">Latest batch</h2>
          <ul className="batch-list">
            <LiveBatch key={issued.id} batch={issued} />
          </ul>
          <p>
            <Link to={`/console/campaigns/${campaignId}/coupons`}>See the coupons</Link> · you can
            leave this page: running batches are listed under{' '}
            <Link to="/console/batches">Batches</Link>.
          </p>
        </section>
      )}

      <ImportCoupons campaignId={campaignId} />
    </>
  );
}
