import type { Page } from '@couponscan/shared/common';
import type { CreateStoreBody, Store, UpdateStoreBody } from '@couponscan/shared/stores';
import type { Database } from '../../db/database.ts';
import { decodeCursor, toPage } from '../../lib/pagination.ts';
import { requireTimeZone } from '../../lib/time-zone.ts';
import { HttpProblem } from '../../lib/http-problem.ts';
import { insertStore, listStores, updateStore } from './stores.repository.ts';

function toStore(row: {
  id: string;
  code: string;
  name: string;
  time_zone: string;
  created_at: Date;
}): Store {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    timeZone: row.time_zone,
    createdAt: row.created_at.toISOString(),
  };
}

export async function createStore(db: Database, body: CreateStoreBody): Promise<Store> {
  const code = body.code.toUpperCase();
  const timeZone = requireTimeZone(body.timeZone ?? 'UTC', '/body/timeZone');
  const row = await insertStore(db, { code, name: body.name.trim(), time_zone: timeZone });
  if (row === undefined) {
    throw new HttpProblem(409, 'conflict', `A store with the code ${code} exists already.`);
  }
  return toStore(row);
}

export async function updateStoreById(
  db: Database,
  id: string,
  body: UpdateStoreBody,
): Promise<Store> {
  const row = await updateStore(db, id, {
    ...(body.name === undefined ? {} : { name: body.name.trim() }),
    ...(body.timeZone === undefined
      ? {}
      : { time_zone: requireTimeZone(body.timeZone, '/body/timeZone') }),
  });
  if (row === undefined) throw new HttpProblem(404, 'not_found', 'There is no such store.');
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
