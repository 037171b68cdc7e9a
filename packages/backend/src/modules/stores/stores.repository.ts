// All Kysely for stores.
import type { Database } from '../../db/database.ts';
import { olderThan, type Position } from '../../lib/pagination.ts';

export function insertStore(
  db: Database,
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
  db: Database,
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

export function listStores(db: Database, after: Position | null, limit: number) {
  let query = db
    .selectFrom('stores')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1);
  if (after !== null) query = query.where(olderThan('stores', 'stores', after));

  return query.execute();
}

export async function existingStoreIds(db: Database, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('stores').select('id').where('id', 'in', ids).execute();
  return new Set(rows.map((row) => row.id));
}
