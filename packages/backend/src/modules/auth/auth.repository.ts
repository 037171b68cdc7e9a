// All Kysely for sessions.
import type { Database } from '../../db/database.ts';
import { selectUsers } from '../users/users.repository.ts';

export async function insertSession(
  db: Database,
  session: { id: string; userId: string; expiresAt: Date },
): Promise<void> {
  await db
    .insertInto('sessions')
    .values({ id: session.id, user_id: session.userId, expires_at: session.expiresAt })
    .execute();
}

/** The user behind a live session: not revoked, not expired, user not disabled. */
export function findSessionUser(db: Database, sessionId: string) {
  return selectUsers(db)
    .innerJoin('sessions', 'sessions.user_id', 'users.id')
    .select('sessions.expires_at as session_expires_at')
    .where('sessions.id', '=', sessionId)
    .where('sessions.revoked_at', 'is', null)
    .where('sessions.expires_at', '>', new Date())
    .where('users.disabled_at', 'is', null)
    .executeTakeFirst();
}

export async function revokeSession(db: Database, sessionId: string): Promise<void> {
  await db
    .updateTable('sessions')
    .set((eb) => ({ revoked_at: eb.fn('now') }))
    .where('id', '=', sessionId)
    .where('revoked_at', 'is', null)
    .execute();
}

export async function revokeUserSessions(db: Database, userId: string): Promise<void> {
  await db
    .updateTable('sessions')
    .set((eb) => ({ revoked_at: eb.fn('now') }))
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute();
}

/** Sessions that ended (expired, or revoked) more than `graceHours` ago: nothing reads them again. */
export async function deleteEndedSessions(db: Database, graceHours: number): Promise<number> {
  const cutoff = new Date(Date.now() - graceHours * 3600_000);
  const result = await db
    .deleteFrom('sessions')
    .where((eb) => eb.or([eb('expires_at', '<', cutoff), eb('revoked_at', '<', cutoff)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
