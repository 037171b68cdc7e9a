// A CSV download whose reader stops reading (a client that keeps its socket open and never reads)
// must not hold its transaction and bulk-pool connection: after EXPORT_STALL_SECONDS without
// progress the export ends, its COPY stops and the connection goes back to the pool, so stalled
// readers cannot lock every other export, import and batch out of the bulk pool.
import net from 'node:net';
import { once } from 'node:events';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poolOf, type Database } from '../src/db/database.ts';
import { copyQueryToCsv } from '../src/lib/copy-csv.ts';
import { createTestApp, listen, type TestApp } from './helpers/app.ts';
import { loggedIn, makeCampaign, makeUser, type ApiClient } from './helpers/factories.ts';

let t: TestApp;
let baseUrl: URL;
let marketer: ApiClient;

beforeAll(async () => {
  t = await createTestApp({ config: { exportStallSeconds: 1, databaseBulkPoolSize: 3 } });
  baseUrl = new URL(await listen(t.app));
  marketer = await loggedIn(t.app, (await makeUser(t.db, 'marketer')).email);
});
afterAll(() => t.close());

/** Running COPYs of this database, and whether `db`'s pool has every connection back. */
async function copiesRunning(db: Database): Promise<number> {
  const copies = await t.db
    .selectFrom(sql<{ query: string; datname: string; state: string }>`pg_stat_activity`.as('a'))
    .select('query')
    .where('datname', '=', sql<string>`current_database()`)
    .where('query', 'like', 'copy (%')
    .where('state', '=', 'active')
    .execute();
  const pool = poolOf(db);
  const busy = pool.totalCount - pool.idleCount;
  return Math.max(copies.length, busy);
}

async function waitUntil(what: string, done: () => Promise<boolean>, deadlineMs = 20_000) {
  const deadline = Date.now() + deadlineMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`not before the deadline: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a CSV export whose reader stops reading', () => {
  it('ends after the stall bound: the stream errors, the COPY stops, the connection is back', async () => {
    // ten million rows: far more than any buffer between PostgreSQL and the reader holds
    const query = t.db
      .selectFrom(sql<{ s: number }>`generate_series(1, 10000000)`.as('s'))
      .select(sql<string>`repeat('x', 50)`.as('padding'));
    const csv = await copyQueryToCsv(t.db, query.compile(), { stallMs: 300 });
    await once(csv, 'readable');
    // the reader reads one chunk, then nothing more
    csv.read();
    const errored = once(csv, 'error');
    const [error] = (await errored) as Error[];
    expect(error?.message).toMatch(/took nothing/);
    await waitUntil('the COPY ended and the pool has its connection back', async () => {
      return (await copiesRunning(t.db)) === 0;
    });
  });

  it('a reader that keeps reading, however slowly, is not cut off', async () => {
    const query = t.db
      .selectFrom(sql<{ s: number }>`generate_series(1, 20000)`.as('s'))
      .select(sql<string>`repeat('y', 50)`.as('padding'));
    const csv = await copyQueryToCsv(t.db, query.compile(), { stallMs: 300 });
    let bytes = 0;
    for await (const chunk of csv as AsyncIterable<Buffer>) bytes += chunk.length;
    expect(bytes).toBeGreaterThan(20000 * 50);
  });

  it('three stalled downloads over HTTP do not lock a fourth out of the bulk pool', async () => {
    const big = await makeCampaign(t.db);
    // test data, not the product: unbounded, so a slow machine is not a failure
    await t.db.transaction().execute(async (trx) => {
      await sql`set local statement_timeout = 0`.execute(trx);
      await sql`insert into coupons (campaign_id, code, max_redemptions)
                select ${big.id}, 'STALL' || lpad(i::text, 9, '0'), 1
                  from generate_series(1, 200000) i`.execute(trx);
    });
    const small = await makeCampaign(t.db);

    // three clients ask for the big export, read the head of the answer, then stop reading
    const sockets = await Promise.all(
      [1, 2, 3].map(async () => {
        const socket = net.connect(Number(baseUrl.port), baseUrl.hostname);
        await once(socket, 'connect');
        socket.write(
          `GET /api/campaigns/${big.id}/coupons.csv HTTP/1.1\r\nHost: x\r\n` +
            `Cookie: ${marketer.cookie}\r\n\r\n`,
        );
        const [head] = (await once(socket, 'data')) as Buffer[];
        expect(head?.toString('latin1')).toMatch(/^HTTP\/1\.1 200 /);
        socket.pause();
        return socket;
      }),
    );
    try {
      // while none of them reads, the server gives up on each: the COPYs end, the pool is free
      await waitUntil('the stalled COPYs ended', async () => (await copiesRunning(t.bulkDb)) === 0);
      // and their answers end (read what was buffered to see the end)
      await Promise.all(
        sockets.map(async (socket) => {
          const closed = once(socket, 'close');
          socket.resume();
          await closed;
        }),
      );
      // and the bulk pool serves another export
      const response = await fetch(`${baseUrl.origin}/api/campaigns/${small.id}/coupons.csv`, {
        headers: { cookie: marketer.cookie },
      });
      expect(response.status).toBe(200);
      expect(await response.text()).toMatch(/^code,/);
    } finally {
      for (const socket of sockets) socket.destroy();
    }
    // 200,000 rows and three stall timeouts: a hang guard sized for a slow, busy machine
  }, 180_000);
});
