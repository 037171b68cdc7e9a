// Create or edit a campaign. The body is checked with the API's own TypeBox schema (and the
// discount rules the API applies) before anything is sent; what the server refuses anyway is shown
// with its own words, next to the field it names.
import {
  CreateCampaignBodySchema,
  UpdateCampaignBodySchema,
  type CampaignDetail,
  type CreateCampaignBody,
  type DiscountInput,
  type DiscountType,
  type UpdateCampaignBody,
} from '@couponscan/shared/campaigns';
import { useMemo, useState, type SubmitEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { isApiError } from '../../../lib/api-client.ts';
import { useCampaign, useCreateCampaign, useStores, useUpdateCampaign } from '../api/campaigns.ts';
import { serverFieldErrors, validate, type FieldErrors } from '../lib/validation.ts';
import {
  endOfDay,
  isLocalDate,
  lastSecondBefore,
  lastDayBefore,
  localDateOf,
  startOfDay,
  timeZoneChoices,
  viewerTimeZone,
} from '../lib/zoned-dates.ts';
import { ErrorNotice, ExactInstant, Field, Loading, PageHeading } from './ui.tsx';

const CURRENCIES = [
  'EUR',
  'USD',
  'GBP',
  'CHF',
  'SEK',
  'NOK',
  'DKK',
  'PLN',
  'CZK',
  'JPY',
  'CAD',
  'AUD',
];

export interface CampaignFormValues {
  name: string;
  discountType: DiscountType;
  value: string;
  currency: string;
  description: string;
  maxRedemptionsPerCoupon: string;
  timeZone: string;
  validFrom: string;
  validUntil: string;
  /** Empty: every store. */
  storeIds: string[];
}

/** A new campaign's days are meant in the marketer's own zone; an edit keeps the campaign's. */
function initialValues(
  campaign: CampaignDetail | undefined,
  viewerZone: string,
): CampaignFormValues {
  if (campaign === undefined) {
    return {
      name: '',
      discountType: 'percent',
      value: '10',
      currency: 'EUR',
      description: '',
      maxRedemptionsPerCoupon: '1',
      timeZone: viewerZone,
      validFrom: '',
      validUntil: '',
      storeIds: [],
    };
  }
  const { discount, timeZone } = campaign;
  return {
    name: campaign.name,
    discountType: discount.type,
    value: discount.value === null ? '' : String(discount.value),
    currency: discount.currency ?? 'EUR',
    description: discount.description,
    maxRedemptionsPerCoupon: String(campaign.maxRedemptionsPerCoupon),
    timeZone,
    validFrom:
      campaign.validFrom === null ? '' : localDateOf(new Date(campaign.validFrom), timeZone),
    validUntil:
      campaign.validUntil === null ? '' : lastDayBefore(new Date(campaign.validUntil), timeZone),
    storeIds: campaign.storeIds,
  };
}

function toNumber(text: string): number | null {
  const trimmed = text.trim().replace(',', '.');
  if (trimmed === '') return null;
  const value = Number(trimmed);
  return Number.isNaN(value) ? Number.NaN : value;
}

function discountOf(values: CampaignFormValues): DiscountInput {
  const description = values.description.trim();
  switch (values.discountType) {
    case 'percent':
      return { type: 'percent', value: toNumber(values.value), currency: null, description };
    case 'fixed_amount':
      return {
        type: 'fixed_amount',
        value: toNumber(values.value),
        currency: values.currency,
        description,
      };
    case 'free_item':
      return { type: 'free_item', value: null, currency: null, description };
  }
}

/** The instants the window's dates mean, or null when a date is empty (or not a date). */
export function windowOf(values: CampaignFormValues): {
  validFrom: string | null;
  validUntil: string | null;
} {
  return {
    validFrom: isLocalDate(values.validFrom)
      ? startOfDay(values.validFrom, values.timeZone).toISOString()
      : null,
    validUntil: isLocalDate(values.validUntil)
      ? endOfDay(values.validUntil, values.timeZone).toISOString()
      : null,
  };
}

export function createBodyOf(values: CampaignFormValues): CreateCampaignBody {
  const max = toNumber(values.maxRedemptionsPerCoupon);
  return {
    name: values.name.trim(),
    discount: discountOf(values),
    maxRedemptionsPerCoupon: max ?? Number.NaN,
    ...windowOf(values),
    timeZone: values.timeZone,
    storeIds: values.storeIds,
  };
}

/**
 * The API's own rules: the schema, then what the server checks beyond it (the discount's
 * fields per type, at most two decimals for an amount, the window's order).
 */
export function checkCampaign(
  values: CampaignFormValues,
  body: object,
  mode: 'create' | 'edit',
): FieldErrors {
  const errors = validate(
    mode === 'create' ? CreateCampaignBodySchema : UpdateCampaignBodySchema,
    body,
  );
  const discount = discountOf(values);
  const value = discount.value ?? null;
  if (Number.isNaN(value)) errors['/discount/value'] = 'Enter a number.';
  else if (discount.type === 'percent' && (value === null || value <= 0 || value > 100)) {
    errors['/discount/value'] ??= 'Enter a percentage above 0 and at most 100.';
  } else if (discount.type === 'fixed_amount') {
    if (value === null) errors['/discount/value'] ??= 'Enter the amount.';
    else if (Number(value.toFixed(2)) !== value)
      errors['/discount/value'] ??= 'At most two decimals.';
  } else if (discount.type === 'free_item' && discount.description === '') {
    errors['/discount/description'] = 'Name the free item (staff read it at the till).';
  }
  if (values.validFrom !== '' && !isLocalDate(values.validFrom))
    errors['/validFrom'] = 'Enter a date.';
  if (values.validUntil !== '' && !isLocalDate(values.validUntil))
    errors['/validUntil'] = 'Enter a date.';
  const window = windowOf(values);
  if (
    window.validFrom !== null &&
    window.validUntil !== null &&
    window.validUntil <= window.validFrom
  ) {
    errors['/validUntil'] = 'The last day cannot be before the first day.';
  }
  return errors;
}

/** Only what changed, so that an edit never rewrites what the marketer did not touch. */
function updateBodyOf(before: CampaignFormValues, after: CampaignFormValues): UpdateCampaignBody {
  const body: UpdateCampaignBody = {};
  const created = createBodyOf(after);
  if (after.name !== before.name) body.name = created.name;
  if (
    after.discountType !== before.discountType ||
    after.value !== before.value ||
    after.currency !== before.currency ||
    after.description !== before.description
  ) {
    body.discount = created.discount;
  }
  const window = windowOf(after);
  if (after.validFrom !== before.validFrom || after.timeZone !== before.timeZone)
    body.validFrom = window.validFrom;
  if (after.validUntil !== before.validUntil || after.timeZone !== before.timeZone)
    body.validUntil = window.validUntil;
  if (after.timeZone !== before.timeZone) body.timeZone = after.timeZone;
  if (after.storeIds.join() !== before.storeIds.join()) body.storeIds = after.storeIds;
  return body;
}

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
  // ~400 options: built once, so that typing elsewhere does not re-render them
  const zoneOptions = useMemo(
    () =>
      timeZoneChoices(initial.timeZone).map((zone) => (
        <option key={zone} value={zone}>
          {zone.replaceAll('_', ' ')}
        </option>
      )),
    [initial.timeZone],
  );

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
              <select
                {...props}
                value={values.timeZone}
                onChange={(event) => {
                  set('timeZone', event.target.value);
                }}
              >
                {zoneOptions}
              </select>
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
