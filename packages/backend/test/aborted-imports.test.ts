// Closing the socket half-way through a CSV import once left its connection idle in transaction; ten of them exhausted the pool, and PostgreSQL ending one of them crashed
// the process through the pg client's unhandled 'error' event.
import net from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poolOf } from '../src/db/database.ts';
import { createTestApp, listen, type TestApp } from './helpers/app.ts';
import type { ApiClient } from './helpers/factories.ts';
import { loggedIn, makeCampaign, makeCoupon, makeStore, makeUser } from './helpers/factories.ts';

let t: TestApp;
let base: URL;
let marketer: ApiClient;

beforeAll(async () => {
  // imports run on the bulk pool: make it large enough that all ten hold a connection at once
  t = await createTestApp({ poolSize: 12, config: { databaseBulkPoolSize: 12 } });
  base = new URL(await listen(t.app));
  marketer = await loggedIn(base.origin, (await makeUser(t.db, 'marketer')).email);
});
afterAll(() => t.close());

async function connectionsIdleInTransaction(): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from pg_stat_activity
     where datname = current_database() and application_name in ('couponscan', 'couponscan-bulk')
       and state = 'idle in transaction'`.execute(t.db);
  return rows[0]?.n ?? 0;
}

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Sends the headers and the first half of a CSV upload, and keeps the socket open. */
function startUpload(campaignId: string): net.Socket {
  const socket = net.connect(Number(base.port), base.hostname);
  const half = Array.from({ length: 2000 }, (_, i) => `HALF${String(i).padStart(6, '0')}`).join(
    '\n',
  );
  socket.on('error', () => undefined);
  socket.write(
    `POST /api/campaigns/${campaignId}/imports HTTP/1.1\r\nHost: ${base.host}\r\n` +
      `Cookie: ${marketer.cookie}\r\nContent-Type: text/csv\r\nContent-Length: 1000000\r\n\r\n` +
      `code\n${half}\n`,
  );
  return socket;
}

describe('an aborted CSV import', () => {
  it('ten uploads closed half-way release their connections; health, logins and redemptions work after', async () => {
    const campaign = await makeCampaign(t.db);
    const sockets = Array.from({ length: 10 }, () => startUpload(campaign.id));
    // every upload is inside its transaction, waiting for the rest of the file
    await until(async () => (await connectionsIdleInTransaction()) >= 10, 'ten imports run');

    for (const socket of sockets) socket.destroy();

    await until(async () => (await connectionsIdleInTransaction()) === 0, 'all are released');
    expect(
      await t.db.selectFrom('coupons').where('campaign_id', '=', campaign.id).execute(),
    ).toEqual([]);

    const health = await fetch(`${base.origin}/api/health`);
    expect(health.status).toBe(200);
    const store = await makeStore(t.db);
    const staff = await loggedIn(
      base.origin,
      (await makeUser(t.db, 'staff', { storeId: store.id })).email,
    );
    const { coupon } = await makeCoupon(t.db);
    expect((await staff.redeem(coupon.code)).status).toBe(201);
  });

  it('a connection PostgreSQL ends while the app holds it does not end the process', async () => {
    const client = await poolOf(t.db).connect();
    await client.query('begin');
    const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
    const ended = new Promise((resolve) => client.once('end', resolve));
    await sql`select pg_terminate_backend(${rows[0]?.pid})`.execute(t.db);
    // the client hears of it with no query running: an 'error' event nobody but the pool's
    // listener hears; unheard, Node would end this worker with an uncaught exception
    await ended;
    await expect(client.query('select 1')).rejects.toThrow();
    client.release(true);
    expect((await sql<{ one: number }>`select 1 as one`.execute(t.db)).rows).toEqual([{ one: 1 }]);
  });
});
