// All Kysely for QR images.
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../db/database.ts';

type Executor = Kysely<DB> | Transaction<DB>;

export function couponExists(db: Executor, code: string) {
  return db.selectFrom('coupons').select('id').where('code', '=', code).executeTakeFirst();
}
