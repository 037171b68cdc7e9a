// Keyset pagination over (created_at, id), newest first. The cursor is opaque to clients.
// A cursor's time has only milliseconds (a JS Date) while PostgreSQL keeps microseconds, so
// repositories compare against the created_at of the cursor's row, read by its id; the time in
// the cursor is the fallback when that row is gone.
import type { Page } from '@couponscan/shared/common';
import { sql, type RawBuilder } from 'kysely';
import { HttpProblem } from './http-problem.ts';
import { isValidDateTime } from './date-time.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface Position {
  createdAt: Date;
  id: string;
}

export function encodeCursor(position: Position): string {
  return Buffer.from(JSON.stringify([position.createdAt.toISOString(), position.id])).toString(
    'base64url',
  );
}

export function decodeCursor(cursor: string | undefined): Position | null {
  if (cursor === undefined || cursor === '') return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2) {
      const [createdAt, id] = parsed as unknown[];
      // a forged cursor must not reach PostgreSQL as a year it cannot hold or a broken uuid
      if (
        typeof createdAt === 'string' &&
        isValidDateTime(createdAt) &&
        typeof id === 'string' &&
        UUID.test(id)
      ) {
        return { createdAt: new Date(createdAt), id };
      }
    }
  } catch {
    // fall through
  }
  throw new HttpProblem(422, 'validation_failed', 'cursor is not one this API gave out', {}, [
    { pointer: '/querystring/cursor', message: 'is not a valid cursor' },
  ]);
}

/** Rows were fetched with limit + 1: the extra one says whether there is a next page. */
export function toPage<Row extends { id: string; created_at: Date }, Item>(
  rows: Row[],
  limit: number,
  map: (row: Row) => Item,
): Page<Item> {
  const pageRows = rows.slice(0, limit);
  const last = pageRows.at(-1);
  return {
    items: pageRows.map(map),
    nextCursor:
      rows.length > limit && last !== undefined
        ? encodeCursor({ createdAt: last.created_at, id: last.id })
        : null,
  };
}

/**
 * `(created_at, id) < cursor` for a keyset page, where `alias` names the table in the query.
 * The cursor row's own created_at (read by id) keeps the microseconds a JS Date has lost.
 */
export function olderThan(
  table: 'stores' | 'users' | 'campaigns' | 'coupons' | 'transactions' | 'batches' | 'api_tokens',
  alias: string,
  after: Position,
): RawBuilder<boolean> {
  const cursorTime = sql`coalesce((select created_at from ${sql.table(table)} where id = ${after.id}), ${after.createdAt})`;
  return sql<boolean>`(${sql.ref(`${alias}.created_at`)}, ${sql.ref(`${alias}.id`)}) < (${cursorTime}, ${after.id})`;
}
