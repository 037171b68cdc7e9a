// Create or edit a campaign. The body is checked with the API's own TypeBox schema (and the
// discount rules the API applies) before anything is sent; what the server refuses anyway is shown
// with its own words, next to the field it names.
import type { CampaignDetail, CreateCampaignBody } from '@couponscan/shared/campaigns';
import { useState, type SubmitEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { isApiError } from '../../../lib/api-client.ts';
import { useCampaign, useCreateCampaign, useStores, useUpdateCampaign } from '../api/campaigns.ts';
import { serverFieldErrors, type FieldErrors } from '../lib/validation.ts';
import { lastSecondBefore, viewerTimeZone } from '../lib/zoned-dates.ts';
import {
  checkCampaign,
  createBodyOf,
  CURRENCIES,
  initialValues,
  updateBodyOf,
  windowOf,
  type CampaignFormValues,
} from '../lib/campaign-form-values.ts';
import { TimeZoneSelect } from './time-zone-select.tsx';
import { ErrorNotice, ExactInstant, Field, Loading, PageHeading } from './ui.tsx';

export function CampaignForm() {
  const { campaignId } = useParams();
  if (campaignId === undefined) return <CampaignFormScreen campaign={undefined} />;
  return <EditCampaign id={campaignId} />;
}

function EditCampaign({ id }: { id: string }) {
  const campaign = useCampaign(id);
  if (campaign.isPending) return <Loading what="the campaign" />;
  if (campaign.isError) return <ErrorNotice error={campaign.error} />;
  return <CampaignFormScreen campaign={campaign.data} />;
}

function CampaignFormScreen({ campaign }: { campaign: CampaignDetail | undefined }) {
  const mode = campaign === undefined ? 'create' : 'edit';
  const navigate = useNavigate();
  const [initial] = useState(() => initialValues(campaign, viewerTimeZone()));
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [submitted, setSubmitted] = useState(false);
  const stores = useStores();
  const create = useCreateCampaign();
  const update = useUpdateCampaign(campaign?.id ?? '');
  const saving = create.isPending || update.isPending;
  const failure = mode === 'create' ? create.error : update.error;
  const set = <K extends keyof CampaignFormValues>(key: K, value: CampaignFormValues[K]) => {
    const next = { ...values, [key]: value };
    setValues(next);
    // once a marketer tried to save, errors follow the typing
    if (submitted)
      setErrors(
        checkCampaign(
          next,
          mode === 'create' ? createBodyOf(next) : updateBodyOf(initial, next),
          mode,
        ),
      );
  };

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    setSubmitted(true);
    const body = mode === 'create' ? createBodyOf(values) : updateBodyOf(initial, values);
    const found = checkCampaign(
      values,
      mode === 'create' ? body : { ...body, name: values.name.trim() },
      mode,
    );
    setErrors(found);
    if (Object.keys(found).length > 0) {
      // the first field in error gets the focus, so a keyboard or screen-reader user lands there
      requestAnimationFrame(() => {
        document.querySelector<HTMLElement>('.console form [aria-invalid="true"]')?.focus();
      });
      return;
    }
    if (mode === 'create') {
      create.mutate(body as CreateCampaignBody, {
        onSuccess: (created) => {
          void navigate(`/console/campaigns/${created.id}`);
        },
        onError: (error) => {
          if (isApiError(error)) setErrors(serverFieldErrors(error.problem.errors));
        },
      });
    } else if (Object.keys(body).length === 0) {
      void navigate(`/console/campaigns/${campaign?.id ?? ''}`);
    } else {
      update.mutate(body, {
        onSuccess: () => {
          void navigate(`/console/campaigns/${campaign?.id ?? ''}`);
        },
        onError: (error) => {
          if (isApiError(error)) setErrors(serverFieldErrors(error.problem.errors));
        },
      });
    }
  };

  const window = windowOf(values);
  const title = mode === 'create' ? 'New campaign' : `Edit ${campaign?.name ?? ''}`;

  return (
    <section className="console-page">
      {mode === 'create' ? (
        <PageHeading title={title}>New campaign</PageHeading>
      ) : (
        <h2 className="section-title">Edit the campaign</h2>
      )}
      <form className="campaign-form" noValidate onSubmit={submit} aria-label={title}>
        <Field label="Name" error={errors['/name']} hint="Staff see it at the till when they scan.">
          {(props) => (
            <input
              {...props}
              value={values.name}
              maxLength={200}
              autoComplete="off"
              onChange={(event) => {
                set('name', event.target.value);
              }}
            />
          )}
        </Field>

        <fieldset className="fieldset">
          <legend>Discount</legend>
          <div className="radio-row">
            {(
              [
                ['percent', 'Percent off'],
                ['fixed_amount', 'Amount off'],
                ['free_item', 'Free item'],
              ] as const
            ).map(([type, label]) => (
              <label key={type} className="radio">
                <input
                  type="radio"
                  name="discountType"
                  value={type}
                  checked={values.discountType === type}
                  onChange={() => {
                    set('discountType', type);
                  }}
                />
                {label}
              </label>
            ))}
          </div>
          {values.discountType !== 'free_item' && (
            <div className="field-row">
              <Field
                label={values.discountType === 'percent' ? 'Percent' : 'Amount'}
                error={errors['/discount/value']}
              >
                {(props) => (
                  <input
                    {...props}
                    inputMode="decimal"
                    value={values.value}
                    onChange={(event) => {
                      set('value', event.target.value);
                    }}
                  />
                )}
              </Field>
              {values.discountType === 'fixed_amount' && (
                <Field label="Currency" error={errors['/discount/currency']}>
                  {(props) => (
                    <select
                      {...props}
                      value={values.currency}
                      onChange={(event) => {
                        set('currency', event.target.value);
                      }}
                    >
                      {CURRENCIES.map((code) => (
                        <option key={code}>{code}</option>
                      ))}
                    </select>
                  )}
                </Field>
              )}
            </div>
          )}
          <Field
            label={values.discountType === 'free_item' ? 'Free item' : 'Description (optional)'}
            error={errors['/discount/description']}
            hint={
              values.discountType === 'free_item'
                ? 'What the customer gets, e.g. “a coffee of any size”.'
                : 'Shown to staff with the discount, e.g. “on everything but books”.'
            }
          >
            {(props) => (
              <input
                {...props}
                value={values.description}
                maxLength={500}
                onChange={(event) => {
                  set('description', event.target.value);
                }}
              />
            )}
          </Field>
        </fieldset>

        {mode === 'create' && (
          <Field
            label="Redemptions per coupon"
            error={errors['/maxRedemptionsPerCoupon']}
            hint="1: each coupon can be used once."
          >
            {(props) => (
              <input
                {...props}
                inputMode="numeric"
                value={values.maxRedemptionsPerCoupon}
                onChange={(event) => {
                  set('maxRedemptionsPerCoupon', event.target.value);
                }}
              />
            )}
          </Field>
        )}

        <fieldset className="fieldset">
          <legend>When it is valid</legend>
          <Field
            label="Time zone"
            hint="The campaign's days start and end at midnight in this time zone."
          >
            {(props) => (
              <TimeZoneSelect
                {...props}
                value={values.timeZone}
                onChange={(zone) => {
                  set('timeZone', zone);
                }}
              />
            )}
          </Field>
          <div className="field-row">
            <Field
              label="First day (optional)"
              error={errors['/validFrom']}
              hint={
                window.validFrom === null ? (
                  'Empty: valid at once.'
                ) : (
                  <span data-testid="valid-from-instant">
                    Starts{' '}
                    <ExactInstant instant={new Date(window.validFrom)} timeZone={values.timeZone} />
                  </span>
                )
              }
            >
              {(props) => (
                <input
                  {...props}
                  type="date"
                  value={values.validFrom}
                  onChange={(event) => {
                    set('validFrom', event.target.value);
                  }}
                />
              )}
            </Field>
            <Field
              label="Last day (optional)"
              error={errors['/validUntil']}
              hint={
                window.validUntil === null ? (
                  'Empty: no end date.'
                ) : (
                  <span data-testid="valid-until-instant">
                    Ends{' '}
                    <ExactInstant
                      instant={lastSecondBefore(new Date(window.validUntil))}
                      timeZone={values.timeZone}
                    />
                  </span>
                )
              }
            >
              {(props) => (
                <input
                  {...props}
                  type="date"
                  value={values.validUntil}
                  onChange={(event) => {
                    set('validUntil', event.target.value);
                  }}
                />
              )}
            </Field>
          </div>
        </fieldset>

        <fieldset className="fieldset">
          <legend>Stores</legend>
          <p className="field-hint">None ticked: the coupons are valid in every store.</p>
          {stores.isError && <ErrorNotice error={stores.error} />}
          <div className="checkbox-list">
            {(stores.data ?? []).map((store) => (
              <label key={store.id} className="checkbox">
                <input
                  type="checkbox"
                  checked={values.storeIds.includes(store.id)}
                  onChange={(event) => {
                    set(
                      'storeIds',
                      event.target.checked
                        ? [...values.storeIds, store.id]
                        : values.storeIds.filter((id) => id !== store.id),
                    );
                  }}
                />
                {store.name} <span className="muted">({store.code})</span>
              </label>
            ))}
          </div>
          {errors['/storeIds'] !== undefined && (
            <p className="field-error">{errors['/storeIds']}</p>
          )}
        </fieldset>

        <ErrorNotice error={failure} title="Not saved." />
        <div className="form-actions">
          <button type="submit" className="button button--primary" disabled={saving}>
            {saving ? 'Saving…' : mode === 'create' ? 'Create campaign' : 'Save changes'}
          </button>
          <Link
            className="button"
            to={campaign === undefined ? '/console/campaigns' : `/console/campaigns/${campaign.id}`}
          >
            Cancel
          </Link>
        </div>
      </form>
    </section>
  );
}
