// Login, logout and resolving a session cookie to a user.
import { hash, randomBytes } from 'node:crypto';
import type { User } from '@couponscan/shared/auth';
import type { Database } from '../../db/database.ts';
import { HttpProblem } from '../../lib/http-problem.ts';
import { toUser } from '../users/users.mapper.ts';
import { findCredentialsByEmail, findUserById } from '../users/users.repository.ts';
import { findSessionUser, insertSession, revokeSession } from './auth.repository.ts';
import { DUMMY_HASH_PROMISE, verifyPassword } from './password.ts';
import type { SessionCache } from './session-cache.ts';

export interface AuthUser extends User {
  /** sessions.id (the cookie's hash); null when an API token authenticated the request */
  sessionId: string | null;
  /** api_tokens.id when an API token authenticated the request, else null */
  apiTokenId: string | null;
}

export function hashToken(token: string): string {
  return hash('sha256', token, 'hex');
}

export async function login(
  db: Database,
  credentials: { email: string; password: string },
  ttlHours: number,
): Promise<{ token: string; user: User; expiresAt: Date }> {
  const found = await findCredentialsByEmail(db, credentials.email.trim());
  // Unknown email and wrong password take the same path and give the same answer.
  const valid = await verifyPassword(
    credentials.password,
    found?.password_hash ?? (await DUMMY_HASH_PROMISE),
  );
  if (found === undefined || !valid || found.disabled_at !== null) {
    throw new HttpProblem(401, 'invalid_credentials', 'Email or password is wrong.');
  }
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + ttlHours * 3600_000);
  await insertSession(db, { id: hashToken(token), userId: found.id, expiresAt });
  const user = await findUserById(db, found.id);
  if (user === undefined)
    throw new HttpProblem(401, 'invalid_credentials', 'Email or password is wrong.');
  return { token, user: toUser(user), expiresAt };
}

export async function authenticate(
  db: Database,
  token: string,
  cache?: SessionCache,
): Promise<AuthUser | null> {
  if (token.length < 20 || token.length > 100) return null;
  const sessionId = hashToken(token);
  const cached = cache?.get(sessionId);
  if (cached !== undefined) return cached;
  const row = await findSessionUser(db, sessionId);
  if (row === undefined) return null;
  const user = { ...toUser(row), sessionId, apiTokenId: null };
  cache?.set(user, row.session_expires_at);
  return user;
}

export async function logout(db: Database, sessionId: string): Promise<void> {
  await revokeSession(db, sessionId);
}
