// Draws a batch's codes and inserts them chunk by chunk (INSERT … SELECT FROM unnest), inside
// the caller's transaction: the coupons appear all at once when it commits, or never.
import { randomFillSync } from 'node:crypto';
import { CODE_ALPHABET, checkCharacter, RANDOM_LENGTH } from '@couponscan/shared/code';
import type { Transaction } from 'kysely';
import type { DB } from '../../db/database.ts';
import { JobFailed } from '../jobs/job-queue.ts';
import { uuidv7Drawer } from '../../lib/uuidv7.ts';
import { insertCodesSkippingTaken } from '../coupons/coupons.repository.ts';

/** Draws one code with the batch's prefix; swapped in tests to force collisions. */
export type DrawCode = (prefix: string) => string;

/**
 * generateCouponCode from @couponscan/shared, drawing its random bytes from a buffer refilled
 * 64 KiB at a time: one CSPRNG call per ~3,400 codes instead of one per code.
 */
export function codeDrawer(): DrawCode {
  const pool = Buffer.alloc(65_536);
  let used = pool.length;
  return (prefix) => {
    if (used + RANDOM_LENGTH > pool.length) {
      randomFillSync(pool);
      used = 0;
    }
    let body = prefix;
    // 256 is a multiple of 32, so the low five bits of a byte are uniform.
    for (let i = 0; i < RANDOM_LENGTH; i++)
      body += CODE_ALPHABET.charAt((pool[used + i] ?? 0) & 31);
    used += RANDOM_LENGTH;
    return body + checkCharacter(body);
  };
}

export interface IssuingOptions {
  drawCode?: DrawCode;
  /** Codes per INSERT; 20k keeps a chunk's arrays a few MB and its statement well under a second. */
  chunkSize?: number;
  /** After each chunk, with the number inserted so far: progress, cancellation, stopping. */
  afterChunk?: (generated: number) => Promise<void>;
}

export const DEFAULT_CHUNK_SIZE = 20_000;
/** Chunks in a row that added nothing before we call the random source broken. */
const MAX_FRUITLESS_CHUNKS = 5;

/** Inserts exactly `batch.count` new coupons; returns how many drawn codes were taken already. */
export async function insertBatchCoupons(
  trx: Transaction<DB>,
  batch: { id: string; campaignId: string; count: number; prefix: string; maxRedemptions: number },
  options: IssuingOptions = {},
): Promise<{ collisions: number }> {
  const drawCode = options.drawCode ?? codeDrawer();
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  let inserted = 0;
  let collisions = 0;
  let fruitless = 0;
  const drawId = uuidv7Drawer();
  while (inserted < batch.count) {
    const wanted = Math.min(chunkSize, batch.count - inserted);
    const codes = new Array<string>(wanted);
    const ids = new Array<string>(wanted);
    for (let i = 0; i < wanted; i++) {
      codes[i] = drawCode(batch.prefix);
      ids[i] = drawId();
    }
    const result = await insertCodesSkippingTaken(
      trx,
      { campaignId: batch.campaignId, maxRedemptions: batch.maxRedemptions, batchId: batch.id },
      codes,
      ids,
    ).executeTakeFirst();
    const added = Number(result.numInsertedOrUpdatedRows ?? 0n);
    inserted += added;
    collisions += wanted - added;
    fruitless = added === 0 ? fruitless + 1 : 0;
    if (fruitless >= MAX_FRUITLESS_CHUNKS) {
      throw new JobFailed('could not draw free codes: every code drawn was taken already');
    }
    await options.afterChunk?.(inserted);
  }
  return { collisions };
}
