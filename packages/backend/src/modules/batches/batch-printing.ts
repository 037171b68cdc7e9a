// The printable sheet of a succeeded batch, in parts of at most SHEET_MAX_COUPONS coupons.
import { SHEET_MAX_COUPONS } from '@couponscan/shared/batches';
import type { Discount } from '@couponscan/shared/campaigns';
import { formatCouponCode } from '@couponscan/shared/code';
import type { Database } from '../../db/database.ts';
import { HttpProblem } from '../../lib/http-problem.ts';
import { toDiscount } from '../campaigns/campaigns.mapper.ts';
import { findCampaign } from '../campaigns/campaigns.repository.ts';
import { batchCodeBefore, listBatchCoupons } from '../coupons/coupons.repository.ts';
import { couponQrText } from '../qr/qr.service.ts';
import { COUPONS_PER_PAGE, renderSheet, type SheetCoupon } from './batch-sheet.ts';
import { getBatch } from './batches.service.ts';

/** How the sheet states the discount: the marketer's description, else the amount. */
function describeDiscount(discount: Discount): string {
  if (discount.description.trim() !== '') return discount.description;
  if (discount.type === 'percent') return `${String(discount.value ?? 0)}% off`;
  if (discount.type === 'fixed_amount') {
    return `${(discount.value ?? 0).toFixed(2)} ${discount.currency ?? ''} off`;
  }
  return 'free item';
}

async function* sheetPages(
  db: Database,
  batchId: string,
  afterCode: string,
  total: number,
  origin: string,
): AsyncGenerator<SheetCoupon[]> {
  // 20 pages per query: few round trips, little memory
  const readSize = COUPONS_PER_PAGE * 20;
  let after = afterCode;
  let left = total;
  while (left > 0) {
    const rows = await listBatchCoupons(db, batchId, after, Math.min(readSize, left));
    if (rows.length === 0) return;
    left -= rows.length;
    after = rows.at(-1)?.code ?? after;
    for (let i = 0; i < rows.length; i += COUPONS_PER_PAGE) {
      yield rows.slice(i, i + COUPONS_PER_PAGE).map(({ code }) => ({
        displayCode: formatCouponCode(code),
        qrText: couponQrText(origin, code),
      }));
    }
  }
}

/**
 * The printable sheet of a succeeded batch: SHEET_MAX_COUPONS coupons at most, so a larger
 * batch is printed in parts (`part` 1, 2, …), in code order. Its QR codes are the coupons'
 * links on `origin` (the app's, as for the QR images).
 */
export async function printBatchSheet(
  db: Database,
  batchId: string,
  part: number | undefined,
  origin: string,
  onError: (error: unknown) => void,
): Promise<{ filename: string; pdf: NodeJS.ReadableStream }> {
  const batch = await getBatch(db, batchId);
  if (batch.status !== 'succeeded') {
    throw new HttpProblem(
      409,
      'conflict',
      `This batch is ${batch.status}; only a batch that succeeded can be printed.`,
    );
  }
  const parts = Math.ceil(batch.count / SHEET_MAX_COUPONS);
  if (part === undefined && parts > 1) {
    throw new HttpProblem(
      422,
      'sheet_too_large',
      `This batch has ${batch.count} coupons and a sheet holds at most ${SHEET_MAX_COUPONS}: ` +
        `print it in ${parts} parts, ?part=1 to ?part=${parts}.`,
      { maxCoupons: SHEET_MAX_COUPONS, parts },
    );
  }
  const index = (part ?? 1) - 1;
  if (index >= parts) {
    throw new HttpProblem(422, 'validation_failed', `This batch has ${parts} parts.`, {}, [
      { pointer: '/querystring/part', message: `must be at most ${parts}` },
    ]);
  }
  const campaign = await findCampaign(db, batch.campaignId);
  if (campaign === undefined) throw new Error(`batch ${batch.id} has no campaign`);
  const offset = index * SHEET_MAX_COUPONS;
  const afterCode = await batchCodeBefore(db, batch.id, offset);
  if (afterCode === null) throw new Error(`batch ${batch.id} has fewer coupons than it says`);
  const pdf = renderSheet(
    {
      campaignName: campaign.name,
      discount: describeDiscount(toDiscount(campaign)),
      title: `${campaign.name}: coupons${parts > 1 ? `, part ${String(index + 1)} of ${String(parts)}` : ''}`,
    },
    sheetPages(db, batch.id, afterCode, Math.min(SHEET_MAX_COUPONS, batch.count - offset), origin),
    onError,
  );
  return {
    filename: `coupons-${batch.id}${parts > 1 ? `-part-${String(index + 1)}` : ''}.pdf`,
    pdf,
  };
}
