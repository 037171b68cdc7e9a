// All Kysely for the CSV exports. Column names are the CSV header (see @couponscan/shared/exports).
import type { CouponExportFilter } from '@couponscan/shared/exports';
import { sql, type RawBuilder } from 'kysely';
import type { Database } from '../../db/database.ts';
import { fromLedger } from '../redemptions/redemptions.repository.ts';

/** RFC 3339 in UTC, as the JSON API writes times. */
function isoTime(column: string): RawBuilder<string | null> {
  return sql<
    string | null
  >`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/**
 * formatCouponCode from @couponscan/shared, in SQL: a code with the shape of a generated one
 * (20–28 alphabet characters, not 21) is a prefix and five groups of four. Imported codes never
 * have that shape (the import refuses them), so they are shown as stored.
 */
const displayCode = sql<string>`case
  when c.code ~ '^[0-9A-HJKMNP-TV-Z]{20,28}$' and length(c.code) <> 21 then concat_ws('-',
    nullif(left(c.code, length(c.code) - 20), ''),
    substr(right(c.code, 20), 1, 4), substr(right(c.code, 20), 5, 4),
    substr(right(c.code, 20), 9, 4), substr(right(c.code, 20), 13, 4),
    substr(right(c.code, 20), 17, 4))
  else c.code end`;

export function selectCouponsCsv(
  db: Database,
  campaignId: string,
  filter: CouponExportFilter | undefined,
) {
  let query = db
    .selectFrom('coupons as c')
    .select([
      'c.code',
      displayCode.as('display_code'),
      sql<string>`case when c.voided_at is not null then 'voided'
        when c.redemption_count >= c.max_redemptions then 'redeemed' else 'active' end`.as(
        'status',
      ),
      'c.redemption_count',
      'c.max_redemptions',
      'c.batch_id',
      isoTime('c.created_at').as('created_at'),
      isoTime('c.voided_at').as('voided_at'),
    ])
    .where('c.campaign_id', '=', campaignId)
    // the (campaign_id, id) index gives this order without sorting a million rows
    .orderBy('c.id');
  if (filter === 'voided') query = query.where('c.voided_at', 'is not', null);
  if (filter === 'redeemed') {
    query = query
      .where('c.voided_at', 'is', null)
      .whereRef('c.redemption_count', '>=', 'c.max_redemptions');
  }
  if (filter === 'active') {
    query = query
      .where('c.voided_at', 'is', null)
      .whereRef('c.redemption_count', '<', 'c.max_redemptions');
  }
  if (filter === 'unused') {
    query = query.where('c.voided_at', 'is', null).where('c.redemption_count', '=', 0);
  }
  return query;
}

/**
 * Text staff control (names, reasons), made inert for spreadsheets: a field that begins with
 * =, +, -, @, tab or carriage return gets a leading single quote, as OWASP recommends
 * (https://owasp.org/www-community/attacks/CSV_Injection).
 */
function csvText(column: string): RawBuilder<string | null> {
  const ref = sql.ref(column);
  return sql<string | null>`case when ${ref} ~ '^[=+@\t\r-]' then '''' || ${ref} else ${ref} end`;
}

export interface LedgerCsvFilter {
  campaignId?: string;
  storeId?: string;
  userId?: string;
  from?: Date;
  to?: Date;
}

export function selectRedemptionsCsv(db: Database, filter: LedgerCsvFilter) {
  let query = fromLedger(db)
    .select([
      't.id',
      't.kind',
      isoTime('t.created_at').as('created_at'),
      'c.code',
      'c.campaign_id',
      csvText('k.name').as('campaign_name'),
      csvText('s.code').as('store_code'),
      csvText('s.name').as('store_name'),
      csvText('u.name').as('staff_name'),
      csvText('u.email').as('staff_email'),
      't.reverses_id',
      'r.id as reversed_by_id',
      csvText('t.reason').as('reason'),
    ])
    .orderBy('t.created_at')
    .orderBy('t.id');
  if (filter.campaignId !== undefined) query = query.where('c.campaign_id', '=', filter.campaignId);
  if (filter.storeId !== undefined) query = query.where('t.store_id', '=', filter.storeId);
  if (filter.userId !== undefined) query = query.where('t.user_id', '=', filter.userId);
  if (filter.from !== undefined) query = query.where('t.created_at', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('t.created_at', '<', filter.to);
  return query;
}
