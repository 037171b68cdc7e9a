// All Kysely for QR images.
import type { Database } from '../../db/database.ts';

export function couponExists(db: Database, code: string) {
  return db.selectFrom('coupons').select('id').where('code', '=', code).executeTakeFirst();
}
