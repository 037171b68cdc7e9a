// All Kysely for API tokens. A token acts as a user of its own (see the migration
// 2026_11_30_0100_create_api_tokens): its role and store are that user's.
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/database.ts';
import { olderThan, type Position } from '../../lib/pagination.ts';
import { selectUsers } from '../users/users.repository.ts';

/** A token with its user's role and store, and who created it. */
export function selectApiTokens(db: Kysely<DB>) {
  return db
    .selectFrom('api_tokens as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .leftJoin('stores as s', 's.id', 'u.store_id')
    .leftJoin('users as c', 'c.id', 't.created_by')
    .select([
      't.id',
      't.name',
      'u.role',
      'u.store_id',
      's.name as store_name',
      't.secret_prefix',
      't.user_id',
      't.created_at',
      'c.name as created_by_name',
      't.last_used_at',
      't.revoked_at',
    ]);
}
export type ApiTokenRow = Awaited<
  ReturnType<ReturnType<typeof selectApiTokens>['executeTakeFirstOrThrow']>
>;

export function findApiToken(db: Kysely<DB>, id: string): Promise<ApiTokenRow | undefined> {
  return selectApiTokens(db).where('t.id', '=', id).executeTakeFirst();
}

export function listApiTokenRows(db: Kysely<DB>, after: Position | null, limit: number) {
  let query = selectApiTokens(db)
    .orderBy('t.created_at', 'desc')
    .orderBy('t.id', 'desc')
    .limit(limit + 1);
  if (after !== null) query = query.where(olderThan('api_tokens', 't', after));
  return query.execute();
}

export async function insertApiToken(
  db: Kysely<DB>,
  token: {
    userId: string;
    name: string;
    secretHash: string;
    secretPrefix: string;
    createdBy: string;
  },
): Promise<string> {
  const row = await db
    .insertInto('api_tokens')
    .values({
      user_id: token.userId,
      name: token.name,
      secret_hash: token.secretHash,
      secret_prefix: token.secretPrefix,
      created_by: token.createdBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Revokes the token (its trigger disables its user); false when there is no such token. */
export async function revokeApiTokenRow(db: Kysely<DB>, id: string): Promise<boolean> {
  const found = await db
    .selectFrom('api_tokens')
    .select('revoked_at')
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (found === undefined) return false;
  if (found.revoked_at === null) {
    await db
      .updateTable('api_tokens')
      .set((eb) => ({ revoked_at: eb.fn('now') }))
      .where('id', '=', id)
      .execute();
  }
  return true;
}

/** The user behind a live token: not revoked, user not disabled. */
export function findApiTokenUser(db: Kysely<DB>, secretHash: string) {
  return selectUsers(db)
    .innerJoin('api_tokens', 'api_tokens.user_id', 'users.id')
    .select('api_tokens.id as api_token_id')
    .where('api_tokens.secret_hash', '=', secretHash)
    .where('api_tokens.revoked_at', 'is', null)
    .where('users.disabled_at', 'is', null)
    .executeTakeFirst();
}

/**
 * Records a use. The condition makes it a write at most once a minute per token, however many
 * instances ask: an update that matches no row writes nothing.
 */
export async function touchApiToken(db: Kysely<DB>, id: string): Promise<void> {
  await db
    .updateTable('api_tokens')
    .set((eb) => ({ last_used_at: eb.fn('now') }))
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .where((eb) =>
      eb.or([
        eb('last_used_at', 'is', null),
        eb('last_used_at', '<', sql<Date>`now() - interval '1 minute'`),
      ]),
    )
    .execute();
}
