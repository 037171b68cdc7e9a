// The campaign form's values and what they become: the create body, the changes of an edit (only
// what changed), and the checks made before anything is sent (the API's own TypeBox schema and
// the discount rules the API applies).
import {
  CreateCampaignBodySchema,
  UpdateCampaignBodySchema,
  type CampaignDetail,
  type CreateCampaignBody,
  type DiscountInput,
  type DiscountType,
  type UpdateCampaignBody,
} from '@couponscan/shared/campaigns';
import { validate, type FieldErrors } from './validation.ts';
import { endOfDay, isLocalDate, lastDayBefore, localDateOf, startOfDay } from './zoned-dates.ts';

export const CURRENCIES = [
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
export function initialValues(
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
export function updateBodyOf(
  before: CampaignFormValues,
  after: CampaignFormValues,
): UpdateCampaignBody {
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
