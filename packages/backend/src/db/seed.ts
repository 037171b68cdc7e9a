// Users and data a fresh database starts with: the first admin from ADMIN_EMAIL/ADMIN_PASSWORD,
// and with SEED_DEMO a demo store, one user per role and a demo campaign with a few coupons.
import type { Config } from '../config.ts';
import { hashPassword } from '../modules/auth/password.ts';
import { formatCouponCode } from '@couponscan/shared/code';
import { issueCouponsInTransaction } from '../modules/coupons/coupons.service.ts';
import {
  countUsers,
  findCredentialsByEmail,
  insertUser,
} from '../modules/users/users.repository.ts';
import type { Database } from './database.ts';

export const DEMO_PASSWORD = 'demo-password';
export const DEMO_USERS = [
  { email: 'admin@example.com', name: 'Ada Admin', role: 'admin' },
  { email: 'marketer@example.com', name: 'Mia Marketer', role: 'marketer' },
  { email: 'staff@example.com', name: 'Sam Staff', role: 'staff' },
] as const;

export async function ensureFirstAdmin(db: Database, admin: Config['admin']): Promise<boolean> {
  if (admin === null || (await countUsers(db)) > 0) return false;
  await insertUser(db, {
    email: admin.email,
    name: 'Admin',
    role: 'admin',
    storeId: null,
    passwordHash: await hashPassword(admin.password),
  });
  return true;
}

/** Idempotent: seeds only what is missing. Returns codes of demo coupons that are still unused. */
export async function seedDemo(db: Database): Promise<string[]> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const campaignId = await db.transaction().execute(async (trx) => {
    const store =
      (await trx.selectFrom('stores').select('id').where('code', '=', 'DEMO').executeTakeFirst()) ??
      (await trx
        .insertInto('stores')
        .values({ code: 'DEMO', name: 'Demo Store' })
        .returning('id')
        .executeTakeFirstOrThrow());
    let marketerId: string | null = null;
    for (const user of DEMO_USERS) {
      const existing = await findCredentialsByEmail(trx, user.email);
      const id =
        existing?.id ??
        (await insertUser(trx, {
          ...user,
          storeId: user.role === 'staff' ? store.id : null,
          passwordHash,
        }));
      if (user.role === 'marketer') marketerId = id;
    }
    const existing = await trx
      .selectFrom('campaigns')
      .select('id')
      .where('name', '=', DEMO_CAMPAIGN)
      .executeTakeFirst();
    if (existing !== undefined) return existing.id;
    const campaign = await trx
      .insertInto('campaigns')
      .values({
        name: DEMO_CAMPAIGN,
        discount_type: 'percent',
        discount_value: 10,
        discount_description: '10% off your purchase',
        created_by: marketerId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await issueCouponsInTransaction(trx, campaign.id, 5);
    return campaign.id;
  });
  const unused = await db
    .selectFrom('coupons')
    .select('code')
    .where('campaign_id', '=', campaignId)
    .where('redemption_count', '=', 0)
    .where('voided_at', 'is', null)
    .orderBy('created_at')
    .limit(5)
    .execute();
  return unused.map((row) => formatCouponCode(row.code));
}

export const DEMO_CAMPAIGN = 'Demo: 10% off';
