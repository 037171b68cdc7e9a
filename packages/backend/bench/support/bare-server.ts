// The bench's "bare server": the least a Node HTTP server can do to redeem, for comparison with the
// full stack on the same machine in the same run. Fastify without a plugin, one pool, and the very
// call the backend makes (redeem_coupon(), a prepared statement, the same values). NOT the product:
// the caller is fixed (BARE_USER_ID, BARE_SESSION_ID; redeem_coupon() still checks that session),
// and there is no cookie, no validation, no security header, no rate limit, no metric, no log line
// and no live feed. What the full stack costs above this row is what those cost.
import Fastify from 'fastify';
import { formatCouponCode, parseCouponCode } from '@couponscan/shared/code';
import { createDatabase } from '../../src/db/database.ts';
import { redeem } from '../../src/modules/redemptions/redemptions.repository.ts';
import { IDEMPOTENCY_TTL_HOURS } from '../../src/modules/redemptions/redemptions.service.ts';

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
}

const db = createDatabase(required('DATABASE_URL'), Number(required('DATABASE_POOL_SIZE')));
const userId = required('BARE_USER_ID');
const sessionId = required('BARE_SESSION_ID');
const storeId = required('BARE_STORE_ID');

const app = Fastify();
app.post<{ Body: { code: string }; Headers: { 'idempotency-key': string } }>(
  '/api/redemptions',
  async (request, reply) => {
    const code = request.body.code;
    const parsed = parseCouponCode(code);
    const row = await redeem(db, {
      userId,
      sessionId,
      storeId,
      idempotencyKey: request.headers['idempotency-key'],
      requestHash: 'bare-server',
      code: parsed.ok ? parsed.code : null,
      rawCode: code,
      displayCode: parsed.ok ? formatCouponCode(parsed.code) : null,
      invalidDetail: parsed.ok ? null : 'not a code',
      ttlHours: IDEMPOTENCY_TTL_HOURS,
      undoWindowMinutes: 10,
    });
    return reply.status(row.status).type('application/json; charset=utf-8').send(row.body);
  },
);

const address = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`bare server listening on ${address}\n`);
process.on('SIGTERM', () => {
  void app
    .close()
    .then(() => db.destroy())
    .then(() => process.exit(0));
});
