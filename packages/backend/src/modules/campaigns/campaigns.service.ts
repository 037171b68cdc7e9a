// Campaigns: the rules for discounts, validity windows and stores, and whether one issues coupons.
import type {
  Campaign,
  CampaignDetail,
  CampaignListItem,
  CreateCampaignBody,
  DiscountInput,
  ListCampaignsQuery,
  UpdateCampaignBody,
} from '@couponscan/shared/campaigns';
import { isTimeZone, type Page } from '@couponscan/shared/common';
import type { FieldError } from '@couponscan/shared/errors';
import type { Database } from '../../db/database.ts';
import { transaction } from '../../db/transaction.ts';
import { decodeCursor, toPage } from '../../lib/pagination.ts';
import { HttpProblem } from '../../lib/http-problem.ts';
import { campaignFigures, type CampaignFigures } from '../stats/stats.repository.ts';
import { withStatsSnapshot } from '../stats/stats.service.ts';
import { existingStoreIds } from '../stores/stores.repository.ts';
import { toCampaign } from './campaigns.mapper.ts';
import {
  findCampaign,
  insertCampaign,
  listCampaigns,
  lockCampaign,
  replaceCampaignStores,
  shareLockCampaign,
  updateCampaign,
  type CampaignRow,
  type CampaignValues,
} from './campaigns.repository.ts';

/**
 * The one "open for issuing" rule, for in-request issuing, batches and imports: the campaign
 * exists (404 otherwise) and has not ended (an archived campaign answers 409). Judged on the row
 * locked FOR SHARE, so inside the issuing transaction an archive waits for the coupons to commit
 * and never slips in between the check and the insert. Pausing stops redemptions, not issuing.
 */
export async function campaignOpenForIssuing(
  db: Database,
  campaignId: string,
): Promise<CampaignRow> {
  const campaign = await shareLockCampaign(db, campaignId);
  if (campaign === undefined) throw new HttpProblem(404, 'not_found', 'There is no such campaign.');
  if (campaign.status === 'archived')
    throw new HttpProblem(409, 'conflict', 'This campaign has ended; it issues no more coupons.');
  return campaign;
}

function invalid(errors: FieldError[]): HttpProblem {
  return new HttpProblem(
    422,
    'validation_failed',
    errors.map((e) => `${e.pointer} ${e.message}`).join('; '),
    {},
    errors,
  );
}

function discountColumns(
  discount: DiscountInput,
): Pick<
  CampaignValues,
  'discount_type' | 'discount_value' | 'discount_currency' | 'discount_description'
> {
  const errors: FieldError[] = [];
  const value = discount.value ?? null;
  const currency = discount.currency ?? null;
  const description = discount.description?.trim() ?? '';
  if (discount.type === 'percent') {
    if (value === null || value > 100)
      errors.push({
        pointer: '/body/discount/value',
        message: 'must be a percentage above 0 and at most 100',
      });
    // stored as numeric(14, 2): 0.001 or 5e-324 would round to 0, which the database refuses
    else if (Number(value.toFixed(2)) !== value)
      errors.push({ pointer: '/body/discount/value', message: 'has at most two decimals' });
    if (currency !== null)
      errors.push({
        pointer: '/body/discount/currency',
        message: 'must be empty for a percent discount',
      });
  } else if (discount.type === 'fixed_amount') {
    if (value === null)
      errors.push({ pointer: '/body/discount/value', message: 'is required for a fixed amount' });
    // value * 100 is not exact in binary floating point (19.99 * 100 = 1998.9999999999998)
    else if (Number(value.toFixed(2)) !== value)
      errors.push({ pointer: '/body/discount/value', message: 'has at most two decimals' });
    if (currency === null)
      errors.push({
        pointer: '/body/discount/currency',
        message: 'is required for a fixed amount (ISO 4217, e.g. EUR)',
      });
  } else {
    if (value !== null)
      errors.push({ pointer: '/body/discount/value', message: 'must be empty for a free item' });
    if (currency !== null)
      errors.push({ pointer: '/body/discount/currency', message: 'must be empty for a free item' });
    if (description === '')
      errors.push({ pointer: '/body/discount/description', message: 'must name the free item' });
  }
  if (errors.length > 0) throw invalid(errors);
  return {
    discount_type: discount.type,
    discount_value: value,
    discount_currency: currency,
    discount_description: description,
  };
}

function checkWindow(validFrom: Date | null, validUntil: Date | null): void {
  if (validFrom !== null && validUntil !== null && validUntil <= validFrom) {
    throw invalid([{ pointer: '/body/validUntil', message: 'must be after validFrom' }]);
  }
}

async function checkStores(db: Database, storeIds: readonly string[]): Promise<void> {
  const existing = await existingStoreIds(db, storeIds);
  const missing = storeIds.filter((id) => !existing.has(id));
  if (missing.length > 0) {
    throw invalid(
      missing.map((id) => ({
        pointer: `/body/storeIds/${storeIds.indexOf(id)}`,
        message: `names no store (${id})`,
      })),
    );
  }
}

/** The schema checks the shape of the name; this checks that the zone exists. */
function campaignTimeZone(name: string): string {
  if (!isTimeZone(name)) {
    throw invalid([
      { pointer: '/body/timeZone', message: 'is not a known IANA time zone (e.g. Europe/Berlin)' },
    ]);
  }
  return name;
}

const toDate = (value: string | null | undefined): Date | null =>
  value === null || value === undefined ? null : new Date(value);

export async function createCampaign(
  db: Database,
  body: CreateCampaignBody,
  userId: string,
): Promise<Campaign> {
  const values: CampaignValues = {
    name: body.name.trim(),
    ...discountColumns(body.discount),
    valid_from: toDate(body.validFrom),
    valid_until: toDate(body.validUntil),
    time_zone: campaignTimeZone(body.timeZone ?? 'UTC'),
  };
  checkWindow(values.valid_from, values.valid_until);
  const storeIds = body.storeIds ?? [];
  await checkStores(db, storeIds);
  const id = await transaction(db, async (trx) => {
    const campaignId = await insertCampaign(trx, {
      ...values,
      max_redemptions_per_coupon: body.maxRedemptionsPerCoupon ?? 1,
      created_by: userId,
    });
    await replaceCampaignStores(trx, campaignId, storeIds);
    return campaignId;
  });
  return getCampaign(db, id);
}

export async function getCampaign(db: Database, id: string): Promise<CampaignDetail> {
  const row = await findCampaign(db, id);
  if (row === undefined) throw new HttpProblem(404, 'not_found', 'There is no such campaign.');
  const figures = (
    await withStatsSnapshot(db, (trx, watermark) => campaignFigures(trx, watermark, [id]))
  ).get(id);
  return { ...toCampaign(row), counts: countsOf(figures) };
}

function countsOf(figures: CampaignFigures | undefined) {
  return {
    issued: figures?.issued ?? 0,
    redeemed: figures?.redeemed ?? 0,
    voided: figures?.voided ?? 0,
    redemptions: figures?.redemptions ?? 0,
  };
}

export async function listAllCampaigns(
  db: Database,
  query: ListCampaignsQuery,
): Promise<Page<CampaignListItem>> {
  const limit = query.limit ?? 50;
  const q = query.q?.trim() ?? '';
  const rows = await listCampaigns(
    db,
    {
      ...(query.status === undefined ? {} : { status: query.status }),
      ...(q === '' ? {} : { nameContains: q }),
    },
    decodeCursor(query.cursor),
    limit,
  );
  // the counts come from the pre-aggregated figures, O(campaigns on the page)
  const figures = await withStatsSnapshot(db, (trx, watermark) =>
    campaignFigures(
      trx,
      watermark,
      rows.map((row) => row.id),
    ),
  );
  return toPage(rows, limit, (row) => {
    const counts = countsOf(figures.get(row.id));
    return {
      ...toCampaign(row),
      counts,
      redemptionRate: counts.issued === 0 ? null : counts.redeemed / counts.issued,
    };
  });
}

export async function updateCampaignById(
  db: Database,
  id: string,
  body: UpdateCampaignBody,
): Promise<CampaignDetail> {
  if (body.storeIds !== undefined) await checkStores(db, body.storeIds);
  const timeZone = body.timeZone === undefined ? undefined : campaignTimeZone(body.timeZone);
  await transaction(db, async (trx) => {
    const current = await lockCampaign(trx, id);
    if (current === undefined)
      throw new HttpProblem(404, 'not_found', 'There is no such campaign.');
    const validFrom = body.validFrom !== undefined ? toDate(body.validFrom) : current.valid_from;
    const validUntil =
      body.validUntil !== undefined ? toDate(body.validUntil) : current.valid_until;
    checkWindow(validFrom, validUntil);
    await updateCampaign(trx, id, {
      ...(body.name === undefined ? {} : { name: body.name.trim() }),
      ...(body.discount === undefined ? {} : discountColumns(body.discount)),
      valid_from: validFrom,
      valid_until: validUntil,
      ...(timeZone === undefined ? {} : { time_zone: timeZone }),
      ...(body.status === undefined ? {} : { status: body.status }),
    });
    if (body.storeIds !== undefined) await replaceCampaignStores(trx, id, body.storeIds);
  });
  return getCampaign(db, id);
}
