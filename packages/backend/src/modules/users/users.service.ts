// Admins manage users. Disabling a user or changing their password ends their sessions at once.
import type { User } from '@couponscan/shared/auth';
import type { Page } from '@couponscan/shared/common';
import type { CreateUserBody, UpdateUserBody } from '@couponscan/shared/users';
import type { Database } from '../../db/database.ts';
import { transaction } from '../../db/transaction.ts';
import { decodeCursor, toPage } from '../../lib/pagination.ts';
import { HttpProblem } from '../../lib/http-problem.ts';
import { revokeUserSessions } from '../auth/auth.repository.ts';
import { hashPassword } from '../auth/password.ts';
import { existingStoreIds } from '../stores/stores.repository.ts';
import { toUser } from './users.mapper.ts';
import {
  findCredentialsByEmail,
  findUserById,
  insertUser,
  listUsers,
  lockOtherActiveAdmins,
  lockUser,
  updateUser,
} from './users.repository.ts';

async function checkRoleAndStore(
  db: Database,
  role: string,
  storeId: string | null,
): Promise<void> {
  if (role === 'staff' && storeId === null) {
    throw new HttpProblem(422, 'validation_failed', 'Staff must belong to a store.', {}, [
      { pointer: '/body/storeId', message: 'is required for staff' },
    ]);
  }
  if (role !== 'staff' && storeId !== null) {
    throw new HttpProblem(422, 'validation_failed', 'Only staff belong to a store.', {}, [
      { pointer: '/body/storeId', message: `must be empty for ${role}` },
    ]);
  }
  if (storeId !== null && !(await existingStoreIds(db, [storeId])).has(storeId)) {
    throw new HttpProblem(422, 'validation_failed', 'There is no such store.', {}, [
      { pointer: '/body/storeId', message: 'names no store' },
    ]);
  }
}

export async function createUser(db: Database, body: CreateUserBody): Promise<User> {
  const storeId = body.storeId ?? null;
  await checkRoleAndStore(db, body.role, storeId);
  const email = body.email.trim();
  if ((await findCredentialsByEmail(db, email)) !== undefined) {
    throw new HttpProblem(409, 'conflict', `A user with the email ${email} exists already.`);
  }
  const id = await insertUser(db, {
    email,
    name: body.name.trim(),
    role: body.role,
    storeId,
    passwordHash: await hashPassword(body.password),
  }).catch((error: unknown) => {
    if ((error as { code?: string }).code === '23505') {
      throw new HttpProblem(409, 'conflict', `A user with the email ${email} exists already.`);
    }
    throw error;
  });
  return getUser(db, id);
}

export async function getUser(db: Database, id: string): Promise<User> {
  const row = await findUserById(db, id);
  if (row === undefined) throw new HttpProblem(404, 'not_found', 'There is no such user.');
  return toUser(row);
}

export async function updateUserById(
  db: Database,
  id: string,
  body: UpdateUserBody,
): Promise<User> {
  const passwordHash = body.password === undefined ? undefined : await hashPassword(body.password);
  await transaction(db, async (trx) => {
    const current = await lockUser(trx, id);
    if (current === undefined) throw new HttpProblem(404, 'not_found', 'There is no such user.');
    const role = body.role ?? current.role;
    // someone must be able to administer: the last active admin stays an active admin
    const losesAdmin = current.role === 'admin' && (role !== 'admin' || body.disabled === true);
    if (losesAdmin && (await lockOtherActiveAdmins(trx, id)) === 0) {
      throw new HttpProblem(
        409,
        'last_admin',
        'This is the only active admin; make someone else admin first.',
      );
    }
    const storeId =
      body.storeId !== undefined ? body.storeId : role === 'staff' ? current.store_id : null;
    await checkRoleAndStore(db, role, storeId);
    await updateUser(trx, id, {
      ...(body.name === undefined ? {} : { name: body.name.trim() }),
      role,
      storeId,
      ...(passwordHash === undefined ? {} : { passwordHash }),
      ...(body.disabled === undefined ? {} : { disabled: body.disabled }),
    });
    if (body.disabled === true || passwordHash !== undefined) await revokeUserSessions(trx, id);
  });
  return getUser(db, id);
}

export async function listAllUsers(
  db: Database,
  query: { cursor?: string; limit?: number },
): Promise<Page<User>> {
  const limit = query.limit ?? 50;
  const rows = await listUsers(db, decodeCursor(query.cursor), limit);
  return toPage(rows, limit, toUser);
}
