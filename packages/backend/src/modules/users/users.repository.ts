// All Kysely for users.
import { sql, type ExpressionBuilder } from 'kysely';
import type { Database, DB } from '../../db/database.ts';
import { olderThan, type Position } from '../../lib/pagination.ts';

export function selectUsers(db: Database) {
  return db
    .selectFrom('users')
    .leftJoin('stores', 'stores.id', 'users.store_id')
    .select([
      'users.id',
      'users.email',
      'users.name',
      'users.role',
      'users.store_id',
      'stores.name as store_name',
      'users.disabled_at',
      'users.created_at',
    ]);
}
export type UserRow = Awaited<
  ReturnType<ReturnType<typeof selectUsers>['executeTakeFirstOrThrow']>
>;

export function findUserById(db: Database, id: string): Promise<UserRow | undefined> {
  return selectUsers(db).where('users.id', '=', id).executeTakeFirst();
}

export function findCredentialsByEmail(db: Database, email: string) {
  return db
    .selectFrom('users')
    .select(['id', 'password_hash', 'disabled_at'])
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
    .executeTakeFirst();
}

/** People: not the users API tokens act as (modules/api-tokens manages those). */
function isPerson(eb: ExpressionBuilder<DB, 'users'>) {
  return eb.not(
    eb.exists(
      eb.selectFrom('api_tokens').select('id').whereRef('api_tokens.user_id', '=', 'users.id'),
    ),
  );
}

export function listUsers(db: Database, after: Position | null, limit: number) {
  let query = selectUsers(db)
    .where(isPerson)
    .orderBy('users.created_at', 'desc')
    .orderBy('users.id', 'desc')
    .limit(limit + 1);
  if (after !== null) query = query.where(olderThan('users', 'users', after));
  return query.execute();
}

export function countUsers(db: Database): Promise<number> {
  return db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .executeTakeFirstOrThrow()
    .then((row) => Number(row.count));
}

export interface NewUser {
  email: string;
  name: string;
  role: 'admin' | 'marketer' | 'staff';
  storeId: string | null;
  passwordHash: string;
}

export async function insertUser(db: Database, user: NewUser): Promise<string> {
  const row = await db
    .insertInto('users')
    .values({
      email: user.email,
      name: user.name,
      role: user.role,
      store_id: user.storeId,
      password_hash: user.passwordHash,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface UserChanges {
  name?: string;
  role?: 'admin' | 'marketer' | 'staff';
  storeId?: string | null;
  passwordHash?: string;
  disabled?: boolean;
}

export async function updateUser(db: Database, id: string, changes: UserChanges): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set((eb) => ({
      ...(changes.name === undefined ? {} : { name: changes.name }),
      ...(changes.role === undefined ? {} : { role: changes.role }),
      ...(changes.storeId === undefined ? {} : { store_id: changes.storeId }),
      ...(changes.passwordHash === undefined ? {} : { password_hash: changes.passwordHash }),
      ...(changes.disabled === undefined
        ? {}
        : { disabled_at: changes.disabled ? sql<Date>`coalesce(disabled_at, now())` : null }),
      updated_at: eb.fn('now'),
    }))
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export function lockUser(db: Database, id: string) {
  return db
    .selectFrom('users')
    .select(['id', 'role', 'store_id'])
    .where('id', '=', id)
    .where(isPerson)
    .forUpdate()
    .executeTakeFirst();
}

/** Active admins other than `exceptId`, locked (in id order) so two demotions cannot cross. */
export async function lockOtherActiveAdmins(db: Database, exceptId: string): Promise<number> {
  const rows = await db
    .selectFrom('users')
    .select('id')
    .where('role', '=', 'admin')
    .where('disabled_at', 'is', null)
    .where('id', '<>', exceptId)
    .orderBy('id')
    .forUpdate()
    .execute();
  return rows.length;
}
