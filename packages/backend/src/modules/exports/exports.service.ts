// CSV exports of a campaign's coupons and of the redemption ledger.
import type { CouponsCsvQuery, RedemptionsCsvQuery } from '@couponscan/shared/exports';
import type { Readable } from 'node:stream';
import type { Database } from '../../db/database.ts';
import { copyQueryToCsv, type CopyOptions } from '../../lib/copy-csv.ts';
import { HttpProblem } from '../../lib/http-problem.ts';
import { findCampaign } from '../campaigns/campaigns.repository.ts';
import { selectCouponsCsv, selectRedemptionsCsv } from './exports.repository.ts';

export async function exportCouponsCsv(
  db: Database,
  campaignId: string,
  query: CouponsCsvQuery,
  options: CopyOptions = {},
): Promise<{ filename: string; csv: Readable }> {
  if ((await findCampaign(db, campaignId)) === undefined)
    throw new HttpProblem(404, 'not_found', 'There is no such campaign.');
  const csv = await copyQueryToCsv(
    db,
    selectCouponsCsv(db, campaignId, query.status).compile(),
    options,
  );
  return { filename: `coupons-${campaignId}${query.status ? `-${query.status}` : ''}.csv`, csv };
}

export async function exportRedemptionsCsv(
  db: Database,
  query: RedemptionsCsvQuery,
  options: CopyOptions = {},
): Promise<{ filename: string; csv: Readable }> {
  const compiled = selectRedemptionsCsv(db, {
    ...(query.campaignId === undefined ? {} : { campaignId: query.campaignId }),
    ...(query.storeId === undefined ? {} : { storeId: query.storeId }),
    ...(query.userId === undefined ? {} : { userId: query.userId }),
    ...(query.from === undefined ? {} : { from: new Date(query.from) }),
    ...(query.to === undefined ? {} : { to: new Date(query.to) }),
  }).compile();
  return { filename: 'redemptions.csv', csv: await copyQueryToCsv(db, compiled, options) };
}
