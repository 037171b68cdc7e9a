// All Kysely for stores.
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../db/database.ts';
import { olderThan, type Position } from '../../lib/pagination.ts';

type Executor = Kysely<DB> | Transaction<DB>;

export function insertStore(
  db: Executor,
  store: { code: string; name: string; time_zone: string },
) {
  return db
    .insertInto('stores')
    .values(store)
    .onConflict((oc) => oc.column('code').doNothing())
    .returningAll()
    .executeTakeFirst();
}

export function updateStore(
  db: Executor,
  id: string,
  values: { name?: string; time_zone?: string },
) {
  return db
    .updateTable('stores')
    .set(values)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export function listStores(db: Executor, after: Position | null, limit: number) {
  let query = db
    .selectFrom('stores')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1);
  if (after !== null) query = query.where(olderThan('stores', 'stores', after));

  return query.execute();
}

export async function existingStoreIds(db: Executor, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('stores').select('id').where('id', 'in', ids).execute();
  return new Set(rows.map((row) => row.id));
}
