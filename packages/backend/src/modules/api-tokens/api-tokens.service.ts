// API tokens: admins create, list and revoke them; a request with `Authorization: Bearer <secret>`
// is resolved to the token's user here. A token acts as a user of its own, whose role (staff of a
// store, or marketer) and store are the token's: every route authorises it, limits its rate per
// user and records it in scans and the ledger exactly as it would a person with that role.
import { hash, randomBytes, randomUUID } from 'node:crypto';
import {
  API_TOKEN_PREFIX,
  type ApiToken,
  type ApiTokenRole,
  type CreateApiTokenBody,
  type CreatedApiToken,
} from '@couponscan/shared/api-tokens';
import type { Page } from '@couponscan/shared/common';
import type { Database } from '../../db/database.ts';
import { transaction } from '../../db/transaction.ts';
import { decodeCursor, toPage } from '../../lib/pagination.ts';
import { HttpProblem } from '../../lib/http-problem.ts';
import type { AuthUser } from '../auth/auth.service.ts';
import type { SessionCache } from '../auth/session-cache.ts';
import { existingStoreIds } from '../stores/stores.repository.ts';
import { toUser } from '../users/users.mapper.ts';
import { insertUser } from '../users/users.repository.ts';
import {
  findApiToken,
  findApiTokenUser,
  insertApiToken,
  listApiTokenRows,
  revokeApiTokenRow,
  touchApiToken,
  type ApiTokenRow,
} from './api-tokens.repository.ts';

/**
 * 32 random bytes (256 bits), base64url: 43 characters after the prefix. With that much entropy
 * a fast hash is enough: nobody can try 2^256 secrets against a leaked hash, so SHA-256 (unlike
 * for passwords, where scrypt is needed) protects the stored tokens, and the hash doubles as an
 * indexed lookup key that costs microseconds per request rather than scrypt's milliseconds.
 */
const SECRET_PATTERN = new RegExp(`^${API_TOKEN_PREFIX}[A-Za-z0-9_-]{43}$`);
/** `cs_live_` and four characters: enough to tell tokens apart, far too few to guess the rest. */
const SHOWN_PREFIX_LENGTH = API_TOKEN_PREFIX.length + 4;
/** Stored as the token user's password hash: no password ever verifies against it. */
const NO_PASSWORD = 'api-token: no password';

export function hashSecret(secret: string): string {
  return hash('sha256', secret, 'hex');
}

function newSecret(): string {
  return API_TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

function tokenRole(role: 'admin' | 'marketer' | 'staff'): ApiTokenRole {
  if (role === 'admin') throw new Error('an API token never has the role admin');
  return role;
}

function toApiToken(row: ApiTokenRow): ApiToken {
  return {
    id: row.id,
    name: row.name,
    role: tokenRole(row.role),
    storeId: row.store_id,
    storeName: row.store_name,
    prefix: row.secret_prefix,
    userId: row.user_id,
    createdAt: row.created_at.toISOString(),
    createdByName: row.created_by_name,
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
  };
}

async function checkRoleAndStore(
  db: Database,
  role: ApiTokenRole,
  storeId: string | null,
): Promise<void> {
  if (role === 'staff' && storeId === null) {
    throw new HttpProblem(422, 'validation_failed', 'A staff token redeems in one store.', {}, [
      { pointer: '/body/storeId', message: 'is required for staff' },
    ]);
  }
  if (role !== 'staff' && storeId !== null) {
    throw new HttpProblem(422, 'validation_failed', 'Only staff tokens belong to a store.', {}, [
      { pointer: '/body/storeId', message: `must be empty for ${role}` },
    ]);
  }
  if (storeId !== null && !(await existingStoreIds(db, [storeId])).has(storeId)) {
    throw new HttpProblem(422, 'validation_failed', 'There is no such store.', {}, [
      { pointer: '/body/storeId', message: 'names no store' },
    ]);
  }
}

async function getApiToken(db: Database, id: string): Promise<ApiToken> {
  const row = await findApiToken(db, id);
  if (row === undefined) throw new HttpProblem(404, 'not_found', 'There is no such API token.');
  return toApiToken(row);
}

/** Creates the token and its user in one transaction; the secret is returned this once only. */
export async function createApiToken(
  db: Database,
  admin: AuthUser,
  body: CreateApiTokenBody,
): Promise<CreatedApiToken> {
  const storeId = body.storeId ?? null;
  await checkRoleAndStore(db, body.role, storeId);
  const name = body.name.trim();
  const secret = newSecret();
  const id = await transaction(db, async (trx) => {
    const userId = await insertUser(trx, {
      // no person's address: `.invalid` is reserved (RFC 2606), and no password verifies
      email: `api-token-${randomUUID()}@couponscan.invalid`,
      name,
      role: body.role,
      storeId,
      passwordHash: NO_PASSWORD,
    });
    return insertApiToken(trx, {
      userId,
      name,
      secretHash: hashSecret(secret),
      secretPrefix: secret.slice(0, SHOWN_PREFIX_LENGTH),
      createdBy: admin.id,
    });
  });
  return { token: await getApiToken(db, id), secret };
}

export async function listApiTokens(
  db: Database,
  query: { cursor?: string; limit?: number },
): Promise<Page<ApiToken>> {
  const limit = query.limit ?? 50;
  const rows = await listApiTokenRows(db, decodeCursor(query.cursor), limit);
  return toPage(rows, limit, toApiToken);
}

/**
 * Revokes at once and for good (revoking again changes nothing). The database disables the
 * token's user in the same transaction, which every instance hears about (LISTEN/NOTIFY) and which
 * redeem_coupon() checks in its own statement.
 */
export async function revokeApiToken(db: Database, id: string): Promise<ApiToken> {
  const found = await transaction(db, (trx) => revokeApiTokenRow(trx, id));
  if (!found) throw new HttpProblem(404, 'not_found', 'There is no such API token.');
  return getApiToken(db, id);
}

/** The secret in an `Authorization: Bearer <secret>` header, or null for anything else. */
export function bearerSecret(authorization: string): string | null {
  const match = /^Bearer +(\S+) *$/i.exec(authorization);
  const secret = match?.[1];
  return secret !== undefined && SECRET_PATTERN.test(secret) ? secret : null;
}

export interface BearerAuthOptions {
  /** At most one last-used write per token per this long, per instance (default a minute). */
  touchIntervalMs?: number;
  now?: () => number;
  log?: (error: unknown) => void;
}

/**
 * Resolves bearer secrets to users, for one app instance. The token's last use is recorded at
 * most once a minute per token (an in-process note, and a condition in the update that holds
 * across instances), so a till redeeming all day costs one small write a minute, not one per
 * redemption. The time shown is therefore accurate to the minute.
 */
export class BearerAuthenticator {
  private readonly touchedAt = new Map<string, number>();
  private readonly touchIntervalMs: number;
  private readonly now: () => number;

  constructor(
    private readonly db: Database,
    private readonly cache: SessionCache,
    private readonly options: BearerAuthOptions = {},
  ) {
    this.touchIntervalMs = options.touchIntervalMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * The token's user, or null when the header names no live token. `cached`: the route checks the
   * caller again in its own statement (the redemption), so the process's cache may answer.
   */
  async authenticate(authorization: string, cached: boolean): Promise<AuthUser | null> {
    const secret = bearerSecret(authorization);
    if (secret === null) return null;
    const secretHash = hashSecret(secret);
    // session ids are bare hex; this prefix keeps the two kinds of key apart in one cache
    const key = `api-token:${secretHash}`;
    let user = cached ? this.cache.get(key) : undefined;
    if (user === undefined) {
      const row = await findApiTokenUser(this.db, secretHash);
      if (row === undefined) return null;
      user = { ...toUser(row), sessionId: null, apiTokenId: row.api_token_id };
      // a token does not expire: the cache's own bound applies
      if (cached) this.cache.set(user, new Date(8.64e15), key);
    }
    if (user.apiTokenId !== null) await this.touch(user.apiTokenId);
    return user;
  }

  private async touch(apiTokenId: string): Promise<void> {
    const now = this.now();
    const last = this.touchedAt.get(apiTokenId);
    if (last !== undefined && now - last < this.touchIntervalMs) return;
    if (this.touchedAt.size >= 10_000) this.touchedAt.clear();
    this.touchedAt.set(apiTokenId, now);
    try {
      await touchApiToken(this.db, apiTokenId);
    } catch (error) {
      // the time of last use is a convenience: never a reason to refuse the request
      this.options.log?.(error);
    }
  }
}
