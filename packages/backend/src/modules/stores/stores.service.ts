import type { Page } from '@couponscan/shared/common';
import type { CreateStoreBody, Store } from '@couponscan/shared/stores';
import type { Database } from '../../db/database.ts';
import { decodeCursor, toPage } from '../../lib/pagination.ts';
import { HttpProblem } from '../../plugins/errors.ts';
import { insertStore, listStores } from './stores.repository.ts';

function toStore(row: { id: string; code: string; name: string; created_at: Date }): Store {
  return { id: row.id, code: row.code, name: row.name, createdAt: row.created_at.toISOString() };
}

export async function createStore(db: Database, body: CreateStoreBody): Promise<Store> {
  const code = body.code.toUpperCase();
  const row = await insertStore(db, { code, name: body.name.trim() });
  if (row === undefined) {
    throw new HttpProblem(409, 'conflict', `A store with the code ${code} exists already.`);
  }
  return toStore(row);
}

export async function listAllStores(
  db: Database,
  query: { cursor?: string; limit?: number },
): Promise<Page<Store>> {
  const limit = query.limit ?? 50;
  const rows = await listStores(db, decodeCursor(query.cursor), limit);
  return toPage(rows, limit, toStore);
}
