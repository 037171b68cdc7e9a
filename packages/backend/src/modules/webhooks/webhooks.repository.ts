// All Kysely for webhooks: endpoints, the outbox of events, deliveries and their attempts.
import { sql, type Transaction } from 'kysely';
import type { Database, DB } from '../../db/database.ts';
import type { Position } from '../../lib/pagination.ts';

/** `(created_at, id) < cursor`, the cursor row's own created_at keeping its microseconds. */
function olderThan(table: 'webhook_endpoints' | 'webhook_deliveries', after: Position) {
  const cursorTime = sql`coalesce((select created_at from ${sql.table(table)} where id = ${after.id}), ${after.createdAt})`;
  return sql<boolean>`(${sql.ref(`${table}.created_at`)}, ${sql.ref(`${table}.id`)}) < (${cursorTime}, ${after.id})`;
}

export function insertEndpoint(
  db: Database,
  values: { url: string; events: string[]; description: string; secret: string; createdBy: string },
) {
  return db
    .insertInto('webhook_endpoints')
    .values({
      url: values.url,
      events: values.events,
      description: values.description,
      secret: values.secret,
      created_by: values.createdBy,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}
export type EndpointRow = Awaited<ReturnType<typeof insertEndpoint>>;

export function findEndpoint(db: Database, id: string) {
  return db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listEndpoints(db: Database, after: Position | null, limit: number) {
  let query = db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1);
  if (after !== null) query = query.where(olderThan('webhook_endpoints', after));
  return query.execute();
}

export function updateEndpoint(
  db: Database,
  id: string,
  values: {
    url?: string;
    events?: string[];
    description?: string;
    enabled?: boolean;
    secret?: string;
  },
) {
  return db
    .updateTable('webhook_endpoints')
    .set({ ...values, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteEndpoint(db: Database, id: string): Promise<boolean> {
  const result = await db.deleteFrom('webhook_endpoints').where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/**
 * Takes up to `limit` events nobody has dispatched (skipping those another dispatcher holds),
 * creates a delivery to every enabled endpoint subscribed to each, and marks them dispatched.
 * Returns the new deliveries' ids.
 */
export async function dispatchEvents(trx: Transaction<DB>, limit: number): Promise<string[]> {
  const result = await sql<{ id: string }>`
    with taken as (
      select id, type from webhook_events
       where dispatched_at is null
       order by created_at, id
       limit ${limit}
       for update skip locked
    ), marked as (
      update webhook_events set dispatched_at = clock_timestamp()
       where id in (select id from taken)
    )
    insert into webhook_deliveries (endpoint_id, event_id)
    select e.id, t.id
      from taken t
      join webhook_endpoints e on e.enabled and t.type = any (e.events)
    returning id
  `.execute(trx);
  return result.rows.map((row) => row.id);
}

/** A delivery with what it takes to send it. */
export function findDeliveryTarget(db: Database, deliveryId: string) {
  return db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_endpoints as e', 'e.id', 'd.endpoint_id')
    .innerJoin('webhook_events as v', 'v.id', 'd.event_id')
    .select([
      'd.id',
      'd.status',
      'd.attempts',
      'e.url',
      'e.secret',
      'e.enabled',
      'v.id as event_id',
      'v.type as event_type',
      'v.data as event_data',
      'v.created_at as event_created_at',
    ])
    .where('d.id', '=', deliveryId)
    .executeTakeFirst();
}

/**
 * Records attempt `number` on a pending delivery that has had `number - 1`; false when it has
 * moved on meanwhile (another worker made this attempt).
 */
export async function recordAttempt(
  trx: Transaction<DB>,
  deliveryId: string,
  number: number,
  attempt: { statusCode: number | null; durationMs: number; error: string | null },
  next:
    { status: 'succeeded' } | { status: 'failed' } | { status: 'pending'; retryInSeconds: number },
): Promise<boolean> {
  const updated = await trx
    .updateTable('webhook_deliveries')
    .set({
      status: next.status,
      attempts: number,
      last_error: attempt.error,
      next_attempt_at:
        next.status === 'pending'
          ? sql<Date>`clock_timestamp() + make_interval(secs => ${next.retryInSeconds})`
          : null,
      finished_at: next.status === 'pending' ? null : sql<Date>`clock_timestamp()`,
    })
    .where('id', '=', deliveryId)
    .where('status', '=', 'pending')
    .where('attempts', '=', number - 1)
    .returning('id')
    .executeTakeFirst();
  if (updated === undefined) return false;
  await trx
    .insertInto('webhook_attempts')
    .values({
      delivery_id: deliveryId,
      number,
      status_code: attempt.statusCode,
      duration_ms: attempt.durationMs,
      error: attempt.error,
    })
    .execute();
  return true;
}

/** Ends a pending delivery without an attempt (its endpoint was disabled). */
export function abandonDelivery(db: Database, deliveryId: string, reason: string) {
  return db
    .updateTable('webhook_deliveries')
    .set({
      status: 'failed',
      last_error: reason,
      next_attempt_at: null,
      finished_at: sql<Date>`clock_timestamp()`,
    })
    .where('id', '=', deliveryId)
    .where('status', '=', 'pending')
    .execute();
}

export function listDeliveries(
  db: Database,
  endpointId: string,
  after: Position | null,
  limit: number,
) {
  let query = db
    .selectFrom('webhook_deliveries')
    .innerJoin('webhook_events', 'webhook_events.id', 'webhook_deliveries.event_id')
    .selectAll('webhook_deliveries')
    .select('webhook_events.type as event_type')
    .where('webhook_deliveries.endpoint_id', '=', endpointId)
    .orderBy('webhook_deliveries.created_at', 'desc')
    .orderBy('webhook_deliveries.id', 'desc')
    .limit(limit + 1);
  if (after !== null) query = query.where(olderThan('webhook_deliveries', after));
  return query.execute();
}
export type DeliveryRow = Awaited<ReturnType<typeof listDeliveries>>[number];

export function listAttempts(db: Database, deliveryIds: readonly string[]) {
  if (deliveryIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('webhook_attempts')
    .selectAll()
    .where('delivery_id', 'in', deliveryIds)
    .orderBy('delivery_id')
    .orderBy('number')
    .execute();
}
export type AttemptRow = Awaited<ReturnType<typeof listAttempts>>[number];

export function findDelivery(db: Database, endpointId: string, deliveryId: string) {
  return db
    .selectFrom('webhook_deliveries')
    .innerJoin('webhook_events', 'webhook_events.id', 'webhook_deliveries.event_id')
    .selectAll('webhook_deliveries')
    .select('webhook_events.type as event_type')
    .where('webhook_deliveries.id', '=', deliveryId)
    .where('webhook_deliveries.endpoint_id', '=', endpointId)
    .executeTakeFirst();
}

/** A new delivery of an event already sent (a re-send). */
export function insertDelivery(db: Database, endpointId: string, eventId: string) {
  return db
    .insertInto('webhook_deliveries')
    .values({ endpoint_id: endpointId, event_id: eventId })
    .returning('id')
    .executeTakeFirstOrThrow();
}

/** Events (with their deliveries and attempts) older than `days`, none of them still pending. */
export async function deleteOldEvents(db: Database, days: number): Promise<number> {
  const result = await sql`
    delete from webhook_events v
     where v.created_at < now() - make_interval(days => ${days})
       and v.dispatched_at is not null
       and not exists (
         select 1 from webhook_deliveries d where d.event_id = v.id and d.status = 'pending'
       )
  `.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}
