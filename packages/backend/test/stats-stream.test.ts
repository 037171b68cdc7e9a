// The live feed: GET /api/stats/stream over real HTTP, fed by the NOTIFY each instance sends after
// a ledger row's transaction has committed, with its `ping` heartbeats.
import { PROBLEM_CONTENT_TYPE } from '@couponscan/shared/errors';
import type { RedemptionSuccess } from '@couponscan/shared/redemptions';
import type { LedgerEvent } from '@couponscan/shared/stats';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCoupons } from '../src/modules/coupons/coupons.service.ts';
import { createTestApp, listen, type TestApp } from './helpers/app.ts';
import type { ApiClient } from './helpers/factories.ts';
import { loggedIn, makeCampaign, makeStore, makeUser } from './helpers/factories.ts';

interface SseEvent {
  event: string;
  data: unknown;
}

/** An open event stream, read frame by frame. */
class EventStream {
  private buffer = '';
  private readonly queue: SseEvent[] = [];
  private waiting: (() => void) | null = null;
  ended = false;

  private constructor(
    private readonly reader: ReadableStreamDefaultReader<Uint8Array>,
    private readonly abort: AbortController,
  ) {
    void this.pump();
  }

  static async open(baseUrl: string, path: string, cookie: string) {
    const abort = new AbortController();
    const response = await fetch(baseUrl + path, {
      headers: { cookie, accept: 'text/event-stream' },
      signal: abort.signal,
    });
    if (response.body === null) throw new Error('no body');
    return { response, stream: new EventStream(response.body.getReader(), abort) };
  }

  private async pump() {
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { done, value } = await this.reader.read();
        if (done) break;
        this.buffer += decoder.decode(value, { stream: true });
        let end;
        while ((end = this.buffer.indexOf('\n\n')) >= 0) {
          const frame = this.buffer.slice(0, end);
          this.buffer = this.buffer.slice(end + 2);
          const lines = frame.split('\n');
          const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
          const data = lines.find((l) => l.startsWith('data: '))?.slice(6);
          if (event !== undefined) this.queue.push({ event, data: JSON.parse(data ?? 'null') });
        }
        this.waiting?.();
      }
    } catch {
      // aborted
    }
    this.ended = true;
    this.waiting?.();
  }

  /** The next event (heartbeat `ping`s only when asked for), waiting for it up to a deadline. */
  async next(deadlineMs = 10_000, { pings = false } = {}): Promise<SseEvent> {
    const deadline = Date.now() + deadlineMs;
    for (;;) {
      const event = this.queue.shift();
      if (event !== undefined && (pings || event.event !== 'ping')) return event;
      if (event !== undefined) continue;
      if (this.ended) throw new Error('stream ended');
      if (Date.now() > deadline) throw new Error('no event before the deadline');
      await new Promise<void>((resolve) => {
        this.waiting = resolve;
        setTimeout(resolve, 200);
      });
      this.waiting = null;
    }
  }

  /** Resolves when the server has ended the stream. */
  async closedByServer(deadlineMs = 10_000): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    while (!this.ended) {
      if (Date.now() > deadline) throw new Error('stream still open');
      await new Promise<void>((resolve) => {
        this.waiting = resolve;
        setTimeout(resolve, 200);
      });
    }
  }

  /** The events up to and including the ledger event with this id (earlier ones may be late). */
  async until(ledgerId: string, deadlineMs = 10_000): Promise<SseEvent[]> {
    const seen: SseEvent[] = [];
    for (;;) {
      const event = await this.next(deadlineMs);
      seen.push(event);
      if ((event.data as Partial<LedgerEvent> | null)?.id === ledgerId) return seen;
    }
  }

  close() {
    this.abort.abort();
  }
}

const idsOf = (events: SseEvent[]) => events.map((e) => (e.data as Partial<LedgerEvent>).id);

let t: TestApp;
let baseUrl: string;
let marketer: ApiClient;
let staff: ApiClient;
let staffUser: Awaited<ReturnType<typeof makeUser>>;
let storeId: string;
let campaignId: string;
let otherCampaignId: string;

beforeAll(async () => {
  t = await createTestApp();
  baseUrl = await listen(t.app);
  const store = await makeStore(t.db, 'Live Store');
  storeId = store.id;
  staffUser = await makeUser(t.db, 'staff', { storeId: store.id });
  staff = await loggedIn(baseUrl, staffUser.email);
  marketer = await loggedIn(baseUrl, (await makeUser(t.db, 'marketer')).email);
  campaignId = (await makeCampaign(t.db, { name: 'Live' })).id;
  otherCampaignId = (await makeCampaign(t.db, { name: 'Elsewhere' })).id;
});
afterAll(() => t.close());

async function couponOf(campaign: string): Promise<string> {
  const [coupon] = await issueCoupons(t.db, campaign, 1);
  if (coupon === undefined) throw new Error('no coupon');
  return coupon.code;
}

async function openStream(path = '/api/stats/stream', client: ApiClient = marketer) {
  const { response, stream } = await EventStream.open(baseUrl, path, client.cookie);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  // the stream is hijacked from Fastify: it must still carry the security headers
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  expect(await stream.next()).toMatchObject({ event: 'ready' });
  return stream;
}

describe('GET /api/stats/stream', () => {
  it('announces a redemption made over HTTP, with its ledger id and campaign', async () => {
    const stream = await openStream();
    try {
      const redeemed = await staff.redeem(await couponOf(campaignId));
      expect(redeemed.status).toBe(201);
      const redemption = (redeemed.body as unknown as RedemptionSuccess).redemption;

      const event = (await stream.until(redemption.id)).at(-1);

      expect(event?.event).toBe('ledger');
      expect(event?.data).toEqual({
        id: redemption.id,
        kind: 'redemption',
        couponId: redemption.couponId,
        campaignId,
        storeId,
        userId: staffUser.id,
        createdAt: redemption.createdAt,
      } satisfies LedgerEvent);
    } finally {
      stream.close();
    }
  });

  it('announces nothing for a redemption whose transaction rolls back', async () => {
    const stream = await openStream();
    try {
      const code = await couponOf(campaignId);
      const coupon = await t.db
        .selectFrom('coupons')
        .select('id')
        .where('code', '=', code)
        .executeTakeFirstOrThrow();
      const rolledBack = await t.db
        .transaction()
        .execute(async (trx) => {
          const { rows } = await sql<{ id: string }>`
            with scan as (
              insert into scans (coupon_id, code, outcome, store_id, user_id)
              values (${coupon.id}, ${code}, 'redeemed', ${staffUser.store_id}, ${staffUser.id})
              returning id)
            insert into transactions (kind, coupon_id, store_id, user_id, scan_id)
            select 'redemption', ${coupon.id}, ${staffUser.store_id}, ${staffUser.id}, id from scan
            returning id`.execute(trx);
          throw new RolledBack(rows[0]?.id ?? '');
        })
        .catch((error: unknown) => (error instanceof RolledBack ? error.ledgerId : null));
      expect(rolledBack).toMatch(/^[0-9a-f-]{36}$/);
      const committed = await staff.redeem(await couponOf(campaignId));
      expect(committed.status).toBe(201);

      const events = await stream.until(
        (committed.body as unknown as RedemptionSuccess).redemption.id,
      );

      expect(idsOf(events)).not.toContain(rolledBack);
    } finally {
      stream.close();
    }
  });

  it('announces nothing that has not committed, even when asked to', async () => {
    const stream = await openStream();
    try {
      // an id whose transaction rolled back is in no row: the announcement reads the table
      const neverWritten = randomUUID();
      t.app.ledgerAnnouncer.announce(neverWritten);
      const committed = await staff.redeem(await couponOf(campaignId));

      const events = await stream.until(
        (committed.body as unknown as RedemptionSuccess).redemption.id,
      );

      expect(idsOf(events)).not.toContain(neverWritten);
    } finally {
      stream.close();
    }
  });

  it('announces a reversal once it has committed', async () => {
    const code = await couponOf(campaignId);
    const redeemed = await staff.redeem(code);
    const redemptionId = (redeemed.body as unknown as RedemptionSuccess).redemption.id;
    const stream = await openStream();
    try {
      const reversal = await staff.request<{ id: string }>(
        'POST',
        `/api/redemptions/${redemptionId}/reversal`,
        { reason: 'wrong coupon' },
      );
      expect(reversal.status).toBe(201);

      const event = (await stream.until(reversal.body.id)).at(-1);

      expect(event?.data).toMatchObject({ id: reversal.body.id, kind: 'reversal', campaignId });
    } finally {
      stream.close();
    }
  });

  it('no trigger on the redemption path notifies: a NOTIFY in a transaction serialises commits', async () => {
    // (sessions and users notify on revocation, which is rare; see the session cache)
    const { rows } = await sql<{ trigger: string }>`
      select t.tgrelid::regclass || '.' || t.tgname as trigger
        from pg_trigger t join pg_proc p on p.oid = t.tgfoid
       where not t.tgisinternal and p.prosrc ~* 'notify'
         and t.tgrelid in ('transactions'::regclass, 'scans'::regclass, 'coupons'::regclass,
                           'idempotency_keys'::regclass, 'campaigns'::regclass)`.execute(t.db);

    expect(rows).toEqual([]);
  });

  it('with ?campaignId announces only that campaign’s ledger rows', async () => {
    const stream = await openStream(`/api/stats/stream?campaignId=${campaignId}`);
    try {
      const other = await staff.redeem(await couponOf(otherCampaignId));
      expect(other.status).toBe(201);
      const mine = await staff.redeem(await couponOf(campaignId));

      const events = await stream.until((mine.body as unknown as RedemptionSuccess).redemption.id);

      expect(idsOf(events)).not.toContain(
        (other.body as unknown as RedemptionSuccess).redemption.id,
      );
      for (const event of events) expect(event.data).toMatchObject({ campaignId });
    } finally {
      stream.close();
    }
  });

  it('tells streams to resync when its database listener was cut, and announces again after', async () => {
    const stream = await openStream();
    try {
      await sql`select pg_terminate_backend(pid) from pg_stat_activity
                 where application_name = 'couponscan-live-feed' and datname = current_database()`.execute(
        t.db,
      );

      // (a late announcement of an earlier test's redemption may come first)
      let event = await stream.next(20_000);
      while (event.event === 'ledger') event = await stream.next(20_000);
      expect(event.event).toBe('resync');
      const redeemed = await staff.redeem(await couponOf(campaignId));

      const events = await stream.until(
        (redeemed.body as unknown as RedemptionSuccess).redemption.id,
      );

      expect(events.at(-1)?.event).toBe('ledger');
    } finally {
      stream.close();
    }
  });

  it('is for marketers and admins: staff 403, no session 401, as problem+json', async () => {
    const asStaff = await fetch(`${baseUrl}/api/stats/stream`, {
      headers: { cookie: staff.cookie },
    });
    expect(asStaff.status).toBe(403);
    expect(asStaff.headers.get('content-type')).toMatch(/problem\+json/);
    const anonymous = await fetch(`${baseUrl}/api/stats/stream`);
    expect(anonymous.status).toBe(401);
  });

  it('sends a `ping` event at every heartbeat (an event, which EventSource surfaces, unlike a comment)', async () => {
    const own = await createTestApp({ config: { liveFeedHeartbeatSeconds: 1 } });
    try {
      const url = await listen(own.app);
      const client = await loggedIn(url, (await makeUser(own.db, 'marketer')).email);
      const { stream } = await EventStream.open(url, '/api/stats/stream', client.cookie);
      try {
        expect(await stream.next()).toEqual({
          event: 'ready',
          data: { campaignId: null, heartbeatSeconds: 1 },
        });
        expect(await stream.next(10_000, { pings: true })).toEqual({ event: 'ping', data: {} });
        expect(await stream.next(10_000, { pings: true })).toEqual({ event: 'ping', data: {} });

        // the heartbeat also re-checks the session: signing out ends the stream
        expect((await client.request('POST', '/api/auth/logout')).status).toBeLessThan(300);
        await stream.closedByServer();
      } finally {
        stream.close();
      }
    } finally {
      await own.close();
    }
  });

  it('ends open streams when the server closes', async () => {
    const own = await createTestApp();
    const url = await listen(own.app);
    const user = await makeUser(own.db, 'admin');
    const client = await loggedIn(url, user.email);
    const { response, stream } = await EventStream.open(url, '/api/stats/stream', client.cookie);
    expect(response.status).toBe(200);
    expect((await stream.next()).event).toBe('ready');

    await own.close();

    await stream.closedByServer();
    expect(stream.ended).toBe(true);
  });
});

class RolledBack extends Error {
  constructor(readonly ledgerId: string) {
    super('rolled back on purpose');
  }
}

describe('a cap on open streams per user', () => {
  it('a user holds at most STATS_STREAMS_PER_USER streams: one more is 429 problem+json until one closes', async () => {
    const capped = await createTestApp({ config: { streamsPerUser: 2 }, database: t.database });
    const opened: EventStream[] = [];
    try {
      const url = await listen(capped.app);
      const client = await loggedIn(url, (await makeUser(t.db, 'marketer')).email);
      const other = await loggedIn(url, (await makeUser(t.db, 'admin')).email);
      const open = async (cookie: string) => {
        const { response, stream } = await EventStream.open(url, '/api/stats/stream', cookie);
        if (response.status === 200) opened.push(stream);
        else stream.close();
        return response;
      };

      // four at once: exactly two get through, however the requests interleave
      const answers = await Promise.all([1, 2, 3, 4].map(() => open(client.cookie)));
      expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 429, 429]);
      const refused = await fetch(`${url}/api/stats/stream`, {
        headers: { cookie: client.cookie },
      });
      expect(refused.status).toBe(429);
      expect(refused.headers.get('content-type')).toContain(PROBLEM_CONTENT_TYPE);
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await refused.json()).toMatchObject({ status: 429, code: 'rate_limited' });

      // another user is not affected
      expect((await open(other.cookie)).status).toBe(200);

      // once one of the user's streams closes, the server counts it out and a new one opens
      opened.shift()?.close();
      const deadline = Date.now() + 10_000;
      let status = 0;
      while (status !== 200 && Date.now() < deadline) status = (await open(client.cookie)).status;
      expect(status).toBe(200);
    } finally {
      for (const stream of opened) stream.close();
      await capped.close();
    }
  });
});
