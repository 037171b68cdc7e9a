// The dashboard's rules: which days a request covers in the viewer's time zone, the defaults of
// suspicious activity, and mapping rows to the shared types.
import { formatCouponCode } from '@couponscan/shared/code';
import type { Transaction } from 'kysely';
import type { RefusedScanOutcome } from '@couponscan/shared/redemptions';
import {
  STATS_DEFAULT_DAYS,
  STATS_LATEST_LIMIT,
  STATS_MAX_DAYS,
  SUSPICIOUS_DEFAULTS,
  type StatsOverview,
  type StatsOverviewQuery,
  type SuspiciousActivity,
  type SuspiciousQuery,
} from '@couponscan/shared/stats';
import type { Database, DB } from '../../db/database.ts';
import { requireTimeZone } from '../../lib/time-zone.ts';
import { HttpProblem } from '../../lib/http-problem.ts';
import { campaignExists } from '../campaigns/campaigns.repository.ts';
import {
  couponTotals,
  latestRedemptions,
  ledgerPerDay,
  ledgerPerStore,
  readWatermark,
  refusalsByOutcome,
  type DayRange,
  type Watermark,
} from './stats.repository.ts';
import { crossStoreReuse, failedScanBursts } from './suspicious.repository.ts';

const SUSPICIOUS_LIMIT = 100;
const DAY_MS = 86_400_000;

/** Today's date (YYYY-MM-DD) in `tz`. */
export function localToday(tz: string, now: Date = new Date()): string {
  // en-CA formats dates as YYYY-MM-DD
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}

/** Days are calendar dates; UTC arithmetic on them is exact whatever the zone. */
function dayNumber(date: string, pointer: string): number {
  const ms = Date.parse(`${date}T00:00:00Z`);
  // Date.parse rolls 2026-02-30 over to March: refuse dates that do not exist
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date) {
    throw new HttpProblem(422, 'validation_failed', `${date} is not a calendar date`, {}, [
      { pointer, message: 'is not a calendar date' },
    ]);
  }
  return ms / DAY_MS;
}

const dayString = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

export function dayRange(query: StatsOverviewQuery, now: Date = new Date()): DayRange {
  const tz = requireTimeZone(query.tz ?? 'UTC', '/querystring/tz');
  const to = dayNumber(query.to ?? localToday(tz, now), '/querystring/to');
  const from = dayNumber(
    query.from ?? dayString(to - (STATS_DEFAULT_DAYS - 1)),
    '/querystring/from',
  );
  if (from > to) {
    throw new HttpProblem(422, 'validation_failed', 'from is after to', {}, [
      { pointer: '/querystring/from', message: 'must not be after to' },
    ]);
  }
  if (to - from + 1 > STATS_MAX_DAYS) {
    throw new HttpProblem(422, 'validation_failed', `at most ${STATS_MAX_DAYS} days`, {}, [
      { pointer: '/querystring/from', message: `must be at most ${STATS_MAX_DAYS} days before to` },
    ]);
  }
  return { tz, from: dayString(from), to: dayString(to) };
}

async function requireCampaign(
  db: Database,
  campaignId: string | undefined,
): Promise<string | null> {
  if (campaignId === undefined) return null;
  if (!(await campaignExists(db, campaignId))) {
    throw new HttpProblem(404, 'not_found', 'There is no such campaign.');
  }
  return campaignId;
}

/**
 * Runs `work` in a REPEATABLE READ, READ ONLY transaction with the rollup's watermark read first:
 * every figure it reads sees the same rollup and the same ledger, whatever the job commits
 * meanwhile (READ COMMITTED would give each statement a newer snapshot, and a row could move from
 * the tail into the buckets between two of them, or a watermark read first could be older than
 * the buckets read next).
 */
export function withStatsSnapshot<T>(
  db: Database,
  work: (trx: Transaction<DB>, watermark: Watermark) => Promise<T>,
): Promise<T> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => work(trx, await readWatermark(trx)));
}

async function sequence<A, B, C, D>(
  a: () => Promise<A>,
  b: () => Promise<B>,
  c: () => Promise<C>,
  d: () => Promise<D>,
): Promise<[A, B, C, D]> {
  const first = await a();
  const second = await b();
  const third = await c();
  return [first, second, third, await d()];
}

const rate = (redeemed: number, issued: number) => (issued === 0 ? null : redeemed / issued);

export async function statsOverview(
  db: Database,
  query: StatsOverviewQuery,
): Promise<StatsOverview> {
  const range = dayRange(query);
  const campaignId = await requireCampaign(db, query.campaignId);
  const generatedAt = new Date();
  const [totals, perDay, perStore, refusals] = await withStatsSnapshot(db, (trx, watermark) =>
    // one connection: one after the other, each a few index look-ups
    sequence(
      () => couponTotals(trx, watermark, campaignId),
      () => ledgerPerDay(trx, watermark, campaignId, range),
      () => ledgerPerStore(trx, watermark, campaignId, range),
      () => refusalsByOutcome(trx, watermark, campaignId, range),
    ),
  );
  const latest = await latestRedemptions(db, campaignId, STATS_LATEST_LIMIT);
  return {
    campaignId,
    tz: range.tz,
    from: range.from,
    to: range.to,
    generatedAt: generatedAt.toISOString(),
    totals: { ...totals, redemptionRate: rate(totals.redeemed, totals.issued) },
    perDay,
    perStore: perStore.map((row) => ({
      storeId: row.store_id,
      storeCode: row.store_code,
      storeName: row.store_name,
      redemptions: row.redemptions,
    })),
    refusals: refusals.map((row) => ({
      outcome: row.outcome as RefusedScanOutcome,
      count: row.count,
    })),
    latest: latest.map((row) => ({
      id: row.id,
      createdAt: row.created_at.toISOString(),
      couponId: row.coupon_id,
      displayCode: formatCouponCode(row.code),
      campaignId: row.campaign_id,
      campaignName: row.campaign_name,
      storeId: row.store_id,
      storeName: row.store_name,
      userId: row.user_id,
      userName: row.user_name,
      reversed: row.reversed,
    })),
  };
}

export async function suspiciousActivity(
  db: Database,
  query: SuspiciousQuery,
): Promise<SuspiciousActivity> {
  const campaignId = await requireCampaign(db, query.campaignId);
  const until = new Date();
  const hours = query.hours ?? SUSPICIOUS_DEFAULTS.hours;
  const window = {
    since: new Date(until.getTime() - hours * 3600_000),
    until,
    burstMinutes: query.burstMinutes ?? SUSPICIOUS_DEFAULTS.burstMinutes,
    minFailures: query.minFailures ?? SUSPICIOUS_DEFAULTS.minFailures,
    reuseMinutes: query.reuseMinutes ?? SUSPICIOUS_DEFAULTS.reuseMinutes,
  };
  const [bursts, reuse] = await Promise.all([
    failedScanBursts(db, window, SUSPICIOUS_LIMIT),
    crossStoreReuse(db, window, campaignId, SUSPICIOUS_LIMIT),
  ]);
  return {
    since: window.since.toISOString(),
    until: window.until.toISOString(),
    burstMinutes: window.burstMinutes,
    minFailures: window.minFailures,
    reuseMinutes: window.reuseMinutes,
    failedScanBursts: bursts.map((row) => ({
      userId: row.user_id,
      userName: row.user_name,
      userEmail: row.user_email,
      storeId: row.store_id,
      storeName: row.store_name,
      peakFailures: row.peak_failures,
      peakAt: row.peak_at.toISOString(),
      notFound: row.not_found,
      invalidCode: row.invalid_code,
      firstAt: row.first_at.toISOString(),
      lastAt: row.last_at.toISOString(),
    })),
    crossStoreReuse: reuse.map((row) => ({
      couponId: row.coupon_id,
      displayCode: formatCouponCode(row.code),
      campaignId: row.campaign_id,
      campaignName: row.campaign_name,
      redemptionId: row.redemption_id,
      redeemedAt: row.redeemed_at.toISOString(),
      redeemedStoreId: row.redeemed_store_id,
      redeemedStoreName: row.redeemed_store_name,
      scanId: row.scan_id,
      refusedAt: row.refused_at.toISOString(),
      refusedStoreId: row.refused_store_id,
      refusedStoreName: row.refused_store_name,
      refusedUserId: row.refused_user_id,
      refusedUserName: row.refused_user_name,
      secondsAfter: row.seconds_after,
    })),
  };
}
