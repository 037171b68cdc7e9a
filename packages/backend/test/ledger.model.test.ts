// A model-checked ledger: fast-check generates random rounds of issue, redeem, retry (the same
// Idempotency-Key, later or while the first request runs), key reuse, look-up, reverse, void, pause, resume and expire, sends each round's
// actions at once from several users over real HTTP, and checks that some order of them explains
// every answer under a simple model (linearisability, by trying every order of a round) and leaves
// the state the database holds. Look-ups take no lock, so under READ COMMITTED one may see some of
// the round's changes and not others: it must be explained by some of them, in some order. After
// every round the database must agree with the model: each coupon's count equals the model's and
// its ledger, no coupon exceeds its limit, every attempt left exactly one scan, and a replayed key
// never redeemed again. A failure shrinks to a minimal sequence of rounds.
//
// The seed is printed; replay a failure with FC_SEED=<seed> (and FC_PATH=<path> from fast-check's
// report to jump straight to the shrunk case). FC_RUNS sets the number of runs (default 50).
import { CODE_ALPHABET, RANDOM_LENGTH, checkCharacter } from '@couponscan/shared/code';
import { randomBytes, randomInt } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { issueCoupons } from '../src/modules/coupons/coupons.service.ts';
import { createTestApp, listen, type TestApp } from './helpers/app.ts';
import {
  loggedIn,
  makeCampaign,
  makeStore,
  makeUser,
  type ApiClient,
  type ApiResponse,
} from './helpers/factories.ts';
import { auditLedger, CLEAN_AUDIT } from './helpers/ledger-audit.ts';

const SEED = process.env.FC_SEED === undefined ? randomInt(2 ** 31) : Number(process.env.FC_SEED);
const RUNS = Number(process.env.FC_RUNS ?? 50);

type StoreKey = 'A' | 'B';
/** The users who act: three staff (two in store A, one in B), an admin who names a store, a marketer. */
const REDEEMERS = ['staffA1', 'staffA2', 'staffB', 'adminA', 'adminB'] as const;
type Redeemer = (typeof REDEEMERS)[number];
type Login = 'staffA1' | 'staffA2' | 'staffB' | 'admin' | 'marketer';

const loginOf = (actor: Redeemer): Login =>
  actor.startsWith('admin') ? 'admin' : (actor as Login);
const storeOf = (actor: Redeemer): StoreKey => (actor.endsWith('B') ? 'B' : 'A');
const isStaff = (actor: Redeemer) => actor.startsWith('staff');

// ---------------------------------------------------------------------------------------------
// The model

interface ModelCampaign {
  id: string;
  paused: boolean;
  expired: boolean;
  /** null: valid in every store */
  stores: StoreKey[] | null;
  max: number;
}
interface ModelCoupon {
  id: string;
  code: string;
  campaign: number;
  max: number;
  count: number;
  voided: boolean;
}
interface ModelRedemption {
  id: string;
  coupon: number;
  by: Login;
  store: StoreKey;
  reversed: boolean;
}
interface ModelAttempt {
  by: Login;
  store: StoreKey;
  key: string;
  code: string;
  status: number;
  body: unknown;
}
interface Model {
  campaigns: ModelCampaign[];
  coupons: ModelCoupon[];
  redemptions: ModelRedemption[];
  attempts: ModelAttempt[];
  /** scan rows the actions so far must have written */
  scans: number;
}

/** Which coupon an action is about: one of the model's (by index), an unknown or an invalid code. */
type Target = { coupon: number } | 'unknown' | 'invalid';

type Action =
  | { kind: 'redeem' | 'double'; actor: Redeemer; target: Target }
  | { kind: 'retry'; attempt: number }
  | { kind: 'reuseKey'; attempt: number; coupon: number }
  | { kind: 'lookup'; actor: Redeemer | 'marketer'; target: Target }
  | { kind: 'reverse'; actor: Redeemer; redemption: number }
  | { kind: 'void'; coupon: number }
  | { kind: 'pause' | 'resume' | 'expire'; campaign: number }
  | { kind: 'issue'; campaign: number; count: number };

/** An action with its indexes resolved against the model at the start of its round. */
type Resolved =
  | {
      /** double: the same request twice at once, with one key (a retry while the first runs) */
      kind: 'redeem' | 'double';
      actor: Redeemer;
      code: string;
      coupon: number | null;
      key: string;
    }
  | { kind: 'retry'; attempt: ModelAttempt }
  | { kind: 'reuseKey'; attempt: ModelAttempt; code: string }
  | { kind: 'lookup'; actor: Redeemer | 'marketer'; code: string; coupon: number | null }
  | { kind: 'reverse'; actor: Redeemer; redemption: number }
  | { kind: 'void'; coupon: number }
  | { kind: 'pause' | 'resume' | 'expire'; campaign: number }
  | { kind: 'issue'; campaign: number; count: number };

/** A well-formed generated code that no coupon has (95 random bits). */
function unknownCode(): string {
  const random = Array.from({ length: RANDOM_LENGTH }, () =>
    CODE_ALPHABET.charAt(randomInt(CODE_ALPHABET.length)),
  ).join('');
  return random + checkCharacter(random);
}

function refusal(model: Model, coupon: ModelCoupon, store: StoreKey | null): string | null {
  const campaign = model.campaigns[coupon.campaign];
  if (campaign === undefined) throw new Error('no campaign');
  if (coupon.voided) return 'voided';
  if (coupon.count >= coupon.max) return 'already_redeemed';
  if (campaign.paused) return 'campaign_paused';
  if (campaign.expired) return 'expired';
  if (store !== null && campaign.stores !== null && !campaign.stores.includes(store))
    return 'wrong_store';
  return null;
}

interface Observed {
  response: ApiResponse;
  /** for double: the other answer */
  twin?: ApiResponse;
  /** for issue: the new coupons */
  issued?: { id: string; code: string }[];
}

const codeOf = (response: ApiResponse) => (response.body as { code?: string } | null)?.code;

/**
 * Applies `action` with answer `seen` to `model` (mutating it). Returns why the answer is not the
 * model's, or null when it is.
 */
function step(model: Model, action: Resolved, seen: Observed): string | null {
  const { status } = seen.response;
  const body = seen.response.body as Record<string, unknown> | null;
  const expectStatus = (wanted: number, code?: string): string | null =>
    status === wanted && (code === undefined || codeOf(seen.response) === code)
      ? null
      : `expected ${wanted}${code === undefined ? '' : ` ${code}`}, got ${status} ${JSON.stringify(body)}`;

  switch (action.kind) {
    case 'double': {
      // exactly one of the two ran; the other replayed its answer (or found it still running)
      const { twin } = seen;
      if (twin === undefined) return 'no twin';
      const replayed = [seen.response, twin].filter(
        (r) => r.headers['idempotent-replayed'] === 'true',
      ).length;
      const inProgress = codeOf(twin) === 'idempotency_request_in_progress';
      if (!inProgress && replayed !== 1) return `${replayed} of the two answers replayed`;
      if (!inProgress && JSON.stringify(twin.body) !== JSON.stringify(seen.response.body))
        return 'the twin answers differ';
      return step(model, { ...action, kind: 'redeem' }, { response: seen.response });
    }
    case 'redeem': {
      const by = loginOf(action.actor);
      const store = storeOf(action.actor);
      let problem: string | null;
      if (action.coupon === null) {
        problem = action.code.startsWith('!')
          ? expectStatus(422, 'invalid_code')
          : expectStatus(404, 'not_found');
      } else {
        const coupon = model.coupons[action.coupon];
        if (coupon === undefined) throw new Error('no coupon');
        const why = refusal(model, coupon, store);
        if (why === null) {
          problem = expectStatus(201);
          if (problem === null) {
            coupon.count += 1;
            const redemption = body?.redemption as { id: string } | undefined;
            if (body?.redemptionsLeft !== coupon.max - coupon.count)
              return `redemptionsLeft ${String(body?.redemptionsLeft)}, model ${coupon.max - coupon.count}`;
            model.redemptions.push({
              id: redemption?.id ?? '',
              coupon: action.coupon,
              by,
              store,
              reversed: false,
            });
          }
        } else problem = expectStatus(409, why);
      }
      if (problem !== null) return problem;
      model.scans += 1;
      model.attempts.push({ by, store, key: action.key, code: action.code, status, body });
      return null;
    }
    case 'retry': {
      // the stored answer, again, byte for byte the same JSON; nothing new is written
      const { attempt } = action;
      if (status !== attempt.status) return `replay answered ${status}, first ${attempt.status}`;
      if (seen.response.headers['idempotent-replayed'] !== 'true') return 'replay not marked';
      if (JSON.stringify(body) !== JSON.stringify(attempt.body)) return 'replay differs';
      return null;
    }
    case 'reuseKey':
      return action.code === action.attempt.code
        ? status === action.attempt.status
          ? null
          : 'same code, not replayed'
        : expectStatus(422, 'idempotency_key_reused');
    case 'lookup': {
      const store = action.actor === 'marketer' ? null : storeOf(action.actor);
      let problem: string | null;
      if (action.coupon === null) {
        problem = action.code.startsWith('!')
          ? expectStatus(422, 'invalid_code')
          : expectStatus(404, 'not_found');
      } else {
        const coupon = model.coupons[action.coupon];
        if (coupon === undefined) throw new Error('no coupon');
        problem = expectStatus(200);
        const preview = body as {
          reason?: string | null;
          coupon?: { redemptionCount?: number; status?: string };
        };
        const why = refusal(model, coupon, store);
        if (problem === null && preview.reason !== why)
          problem = `lookup reason ${String(preview.reason)}, model ${String(why)}`;
        if (problem === null && preview.coupon?.redemptionCount !== coupon.count)
          problem = `lookup count ${String(preview.coupon?.redemptionCount)}, model ${coupon.count}`;
      }
      if (problem !== null) return problem;
      model.scans += 1;
      return null;
    }
    case 'reverse': {
      const redemption = model.redemptions[action.redemption];
      if (redemption === undefined) throw new Error('no redemption');
      const by = loginOf(action.actor);
      const staff = isStaff(action.actor);
      if (staff && redemption.store !== storeOf(action.actor))
        return expectStatus(404, 'not_found');
      if (redemption.reversed) return expectStatus(409, 'already_reversed');
      if (staff && redemption.by !== by) return expectStatus(403, 'forbidden');
      const problem = expectStatus(201);
      if (problem !== null) return problem;
      redemption.reversed = true;
      const coupon = model.coupons[redemption.coupon];
      if (coupon === undefined) throw new Error('no coupon');
      coupon.count -= 1;
      return null;
    }
    case 'void': {
      const coupon = model.coupons[action.coupon];
      if (coupon === undefined) throw new Error('no coupon');
      if (coupon.voided) return expectStatus(409, 'conflict');
      const problem = expectStatus(200);
      if (problem === null) coupon.voided = true;
      return problem;
    }
    case 'pause':
    case 'resume': {
      const problem = expectStatus(200);
      const campaign = model.campaigns[action.campaign];
      if (problem === null && campaign !== undefined) campaign.paused = action.kind === 'pause';
      return problem;
    }
    case 'expire': {
      const campaign = model.campaigns[action.campaign];
      if (campaign !== undefined) campaign.expired = true;
      return null;
    }
    case 'issue': {
      const problem = expectStatus(201);
      if (problem !== null) return problem;
      const campaign = model.campaigns[action.campaign];
      if (campaign === undefined) throw new Error('no campaign');
      for (const coupon of seen.issued ?? []) {
        model.coupons.push({
          ...coupon,
          campaign: action.campaign,
          max: campaign.max,
          count: 0,
          voided: false,
        });
      }
      return null;
    }
  }
}

function* permutations<T>(items: T[]): Generator<T[]> {
  if (items.length <= 1) {
    yield items;
    return;
  }
  for (let i = 0; i < items.length; i++) {
    const rest = [...items.slice(0, i), ...items.slice(i + 1)];
    for (const tail of permutations(rest)) yield [items[i] as T, ...tail];
  }
}

// ---------------------------------------------------------------------------------------------
// The real system

let t: TestApp;
let baseUrl: string;
const clients = {} as Record<Login, ApiClient>;
const storeIds = {} as Record<StoreKey, string>;

beforeAll(async () => {
  t = await createTestApp();
  baseUrl = await listen(t.app);
  storeIds.A = (await makeStore(t.db)).id;
  storeIds.B = (await makeStore(t.db)).id;
  const users: [Login, 'staff' | 'admin' | 'marketer', StoreKey | null][] = [
    ['staffA1', 'staff', 'A'],
    ['staffA2', 'staff', 'A'],
    ['staffB', 'staff', 'B'],
    ['admin', 'admin', null],
    ['marketer', 'marketer', null],
  ];
  for (const [login, role, store] of users) {
    const user = await makeUser(t.db, role, store === null ? {} : { storeId: storeIds[store] });
    clients[login] = await loggedIn(baseUrl, user.email);
  }
});
afterAll(() => t.close());

async function scanCount(): Promise<number> {
  const row = await t.db
    .selectFrom('scans')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function resolve(model: Model, action: Action): Resolved | null {
  const pick = <T>(list: T[], index: number): T | undefined => list[index % list.length];
  const target = (which: Target) => {
    if (which === 'unknown') return { code: unknownCode(), coupon: null };
    if (which === 'invalid') return { code: `!${randomBytes(3).toString('hex')}`, coupon: null };
    const index = which.coupon % model.coupons.length;
    const coupon = model.coupons[index];
    return coupon === undefined ? null : { code: coupon.code, coupon: index };
  };
  switch (action.kind) {
    case 'redeem':
    case 'double': {
      const resolved = target(action.target);
      if (resolved === null) return null;
      return { ...action, ...resolved, key: randomBytes(12).toString('hex') };
    }
    case 'lookup': {
      const resolved = target(action.target);
      return resolved === null ? null : { ...action, ...resolved };
    }
    case 'retry': {
      const attempt = pick(model.attempts, action.attempt);
      return attempt === undefined ? null : { kind: 'retry', attempt };
    }
    case 'reuseKey': {
      const attempt = pick(model.attempts, action.attempt);
      const coupon = pick(model.coupons, action.coupon);
      return attempt === undefined || coupon === undefined
        ? null
        : { kind: 'reuseKey', attempt, code: coupon.code };
    }
    case 'reverse':
      return model.redemptions.length === 0
        ? null
        : { ...action, redemption: action.redemption % model.redemptions.length };
    case 'void':
      return { ...action, coupon: action.coupon % model.coupons.length };
    case 'pause':
    case 'resume':
    case 'expire':
    case 'issue':
      return { ...action, campaign: action.campaign % model.campaigns.length };
  }
}

async function perform(model: Model, action: Resolved): Promise<Observed> {
  switch (action.kind) {
    case 'redeem':
    case 'double': {
      const send = () =>
        clients[loginOf(action.actor)].redeem(
          action.code,
          action.key,
          loginOf(action.actor) === 'admin' ? { storeId: storeIds[storeOf(action.actor)] } : {},
        );
      if (action.kind === 'redeem') return { response: await send() };
      const [first, second] = await Promise.all([send(), send()]);
      // the one that ran is the answer; the replay (or the in-progress refusal) its twin
      const ranFirst =
        first.headers['idempotent-replayed'] !== 'true' &&
        codeOf(first) !== 'idempotency_request_in_progress';
      return ranFirst ? { response: first, twin: second } : { response: second, twin: first };
    }
    case 'retry':
    case 'reuseKey': {
      const { attempt } = action;
      const code = action.kind === 'retry' ? attempt.code : action.code;
      return {
        response: await clients[attempt.by].request(
          'POST',
          '/api/redemptions',
          attempt.by === 'admin' ? { code, storeId: storeIds[attempt.store] } : { code },
          { 'idempotency-key': attempt.key },
        ),
      };
    }
    case 'lookup': {
      const client = clients[action.actor === 'marketer' ? 'marketer' : loginOf(action.actor)];
      const query =
        action.actor === 'adminA' || action.actor === 'adminB'
          ? `?storeId=${storeIds[storeOf(action.actor)]}`
          : '';
      return {
        response: await client.request(
          'GET',
          `/api/coupons/${encodeURIComponent(action.code)}${query}`,
        ),
      };
    }
    case 'reverse': {
      const redemption = model.redemptions[action.redemption];
      return {
        response: await clients[loginOf(action.actor)].request(
          'POST',
          `/api/redemptions/${redemption?.id ?? ''}/reversal`,
          { reason: 'model check' },
        ),
      };
    }
    case 'void': {
      const coupon = model.coupons[action.coupon];
      return {
        response: await clients.marketer.request('POST', `/api/coupons/${coupon?.code}/void`, {
          reason: 'model check',
        }),
      };
    }
    case 'pause':
    case 'resume':
      return {
        response: await clients.marketer.request(
          'PATCH',
          `/api/campaigns/${model.campaigns[action.campaign]?.id}`,
          { status: action.kind === 'pause' ? 'paused' : 'active' },
        ),
      };
    case 'expire':
      await sql`update campaigns set valid_until = now() - interval '1 hour'
                where id = ${model.campaigns[action.campaign]?.id}`.execute(t.db);
      return { response: { status: 0, headers: {}, body: null } };
    case 'issue': {
      const response = await clients.marketer.request<{ items?: { id: string; code: string }[] }>(
        'POST',
        `/api/campaigns/${model.campaigns[action.campaign]?.id}/coupons`,
        { count: action.count },
      );
      return {
        response,
        issued: (response.body.items ?? []).map(({ id, code }) => ({ id, code })),
      };
    }
  }
}

interface DatabaseState {
  coupons: Map<string, { count: number; voided: boolean; redemptions: number; reversals: number }>;
  paused: Map<string, boolean>;
  scans: number;
}

/** What the database holds of the model's coupons and campaigns. */
async function databaseState(model: Model): Promise<DatabaseState> {
  const rows = await t.db
    .selectFrom('coupons')
    .leftJoin('transactions', 'transactions.coupon_id', 'coupons.id')
    .select((eb) => [
      'coupons.id',
      'coupons.redemption_count',
      'coupons.voided_at',
      eb.fn
        .count<string>('transactions.id')
        .filterWhere('transactions.kind', '=', 'redemption')
        .as('redemptions'),
      eb.fn
        .count<string>('transactions.id')
        .filterWhere('transactions.kind', '=', 'reversal')
        .as('reversals'),
    ])
    .where(
      'coupons.id',
      'in',
      model.coupons.map((c) => c.id),
    )
    .groupBy(['coupons.id', 'coupons.redemption_count', 'coupons.voided_at'])
    .execute();
  const campaigns = await t.db
    .selectFrom('campaigns')
    .select(['id', 'status'])
    .where(
      'id',
      'in',
      model.campaigns.map((c) => c.id),
    )
    .execute();
  return {
    coupons: new Map(
      rows.map((row) => [
        row.id,
        {
          count: row.redemption_count,
          voided: row.voided_at !== null,
          redemptions: Number(row.redemptions),
          reversals: Number(row.reversals),
        },
      ]),
    ),
    paused: new Map(campaigns.map((row) => [row.id, row.status === 'paused'])),
    scans: await scanCount(),
  };
}

/** The model's view of one coupon, in the shape of DatabaseState's. */
function modelCoupon(model: Model, coupon: ModelCoupon) {
  const redemptions = model.redemptions.filter((r) => model.coupons[r.coupon] === coupon);
  return {
    count: coupon.count,
    voided: coupon.voided,
    redemptions: redemptions.length,
    reversals: redemptions.filter((r) => r.reversed).length,
  };
}

function agrees(model: Model, state: DatabaseState): boolean {
  return (
    model.coupons.every(
      (c) => JSON.stringify(state.coupons.get(c.id)) === JSON.stringify(modelCoupon(model, c)),
    ) && model.campaigns.every((c) => state.paused.get(c.id) === c.paused)
  );
}

/** What the database must agree with after every round. */
function checkDatabase(model: Model, state: DatabaseState): void {
  for (const coupon of model.coupons) {
    expect(state.coupons.get(coupon.id), `coupon ${coupon.code}`).toEqual(
      modelCoupon(model, coupon),
    );
    expect(coupon.count).toBeLessThanOrEqual(coupon.max);
  }
  for (const campaign of model.campaigns)
    expect(state.paused.get(campaign.id), `campaign ${campaign.id} paused`).toBe(campaign.paused);
  expect(state.scans, 'every attempt has exactly one scan').toBe(model.scans);
}

/** Applies `actions` in `order` to a copy of `model`; the copy, or why the answers do not fit. */
function replay(
  model: Model,
  order: number[],
  resolved: Resolved[],
  observed: Observed[],
): Model | string {
  const candidate = structuredClone(model);
  for (const i of order) {
    const why = step(candidate, resolved[i] as Resolved, observed[i] as Observed);
    if (why !== null) return `${order.join(',')}: ${why}`;
  }
  return candidate;
}

function* subsets<T>(items: T[]): Generator<T[]> {
  for (let mask = 0; mask < 1 << items.length; mask++)
    yield items.filter((_, i) => (mask & (1 << i)) !== 0);
}

class Round implements fc.AsyncCommand<Model, Model> {
  constructor(readonly actions: Action[]) {}

  check(): boolean {
    return true;
  }

  async run(model: Model): Promise<void> {
    const resolved = this.actions
      .map((action) => resolve(model, action))
      .filter((action): action is Resolved => action !== null);
    // one round's actions are sent at once, each by its own request
    const observed = await Promise.all(resolved.map((action) => perform(model, action)));
    for (const seen of observed)
      expect(seen.response.status, 'never a server error').toBeLessThan(500);

    // Some order of the round's changes must explain every answer, and leave the state the
    // database holds (two orders may explain the answers, e.g. a pause and a resume at once).
    const writes = resolved.map((_, i) => i).filter((i) => resolved[i]?.kind !== 'lookup');
    const failures: string[] = [];
    const candidates: Model[] = [];
    for (const order of permutations(writes)) {
      const outcome = replay(model, order, resolved, observed);
      if (typeof outcome === 'string') failures.push(outcome);
      else candidates.push(outcome);
    }
    expect(
      candidates.length,
      `no order explains the answers:\n${failures.join('\n')}`,
    ).toBeGreaterThan(0);

    // A look-up takes no lock: under READ COMMITTED it sees the changes committed when it
    // started, so it must be explained by some of the round's changes, in some order.
    for (const lookup of resolved.map((_, i) => i).filter((i) => !writes.includes(i))) {
      const explained = [...subsets(writes)].some((subset) =>
        [...permutations(subset)].some(
          (order) => typeof replay(model, [...order, lookup], resolved, observed) !== 'string',
        ),
      );
      expect(
        explained,
        `no subset of the round explains look-up ${lookup}: ${JSON.stringify(observed[lookup]?.response.body)}`,
      ).toBe(true);
      for (const candidate of candidates) candidate.scans += 1;
    }

    const state = await databaseState(candidates[0] ?? model);
    const chosen = candidates.find((candidate) => agrees(candidate, state)) ?? candidates[0];
    if (chosen !== undefined) Object.assign(model, chosen);
    checkDatabase(model, state);
  }

  toString(): string {
    return `Round(${JSON.stringify(this.actions)})`;
  }
}

// ---------------------------------------------------------------------------------------------
// The generators

const redeemer = fc.constantFrom(...REDEEMERS);
const index = fc.nat({ max: 20 });
const target: fc.Arbitrary<Target> = fc.oneof(
  { weight: 8, arbitrary: index.map((coupon) => ({ coupon })) },
  { weight: 1, arbitrary: fc.constant('unknown' as const) },
  { weight: 1, arbitrary: fc.constant('invalid' as const) },
);
const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({ kind: fc.constant('redeem' as const), actor: redeemer, target }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('retry' as const), attempt: index }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('double' as const), actor: redeemer, target }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('reuseKey' as const), attempt: index, coupon: index }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('lookup' as const),
      actor: fc.constantFrom(...REDEEMERS, 'marketer' as const),
      target,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('reverse' as const),
      actor: redeemer,
      redemption: index,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('void' as const), coupon: index }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constantFrom('pause' as const, 'resume' as const, 'expire' as const),
      campaign: index,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('issue' as const),
      campaign: index,
      count: fc.integer({ min: 1, max: 2 }),
    }),
  },
);
const round = fc.array(action, { minLength: 1, maxLength: 4 }).map((actions) => new Round(actions));

const campaignSetup = fc.record({
  max: fc.integer({ min: 1, max: 3 }),
  stores: fc.constantFrom<StoreKey[] | null>(null, ['A'], ['B'], ['A', 'B']),
  coupons: fc.integer({ min: 1, max: 2 }),
});

it('random concurrent rounds of redemptions, retries, undos, voids and campaign changes always match the model', async () => {
  process.stdout.write(`ledger model: fast-check seed ${SEED} (replay with FC_SEED=${SEED})\n`);
  await fc.assert(
    fc.asyncProperty(
      fc.array(campaignSetup, { minLength: 1, maxLength: 2 }),
      fc.commands([round], { maxCommands: 15 }),
      async (setup, rounds) => {
        const model: Model = {
          campaigns: [],
          coupons: [],
          redemptions: [],
          attempts: [],
          scans: await scanCount(),
        };
        for (const options of setup) {
          const campaign = await makeCampaign(t.db, {
            maxRedemptionsPerCoupon: options.max,
            storeIds: options.stores?.map((store) => storeIds[store]) ?? [],
          });
          model.campaigns.push({
            id: campaign.id,
            paused: false,
            expired: false,
            stores: options.stores,
            max: options.max,
          });
          for (const coupon of await issueCoupons(t.db, campaign.id, options.coupons)) {
            model.coupons.push({
              id: coupon.id,
              code: coupon.code,
              campaign: model.campaigns.length - 1,
              max: options.max,
              count: 0,
              voided: false,
            });
          }
        }
        await fc.asyncModelRun(() => ({ model, real: model }), rounds);
        expect(await auditLedger(t.db)).toEqual(CLEAN_AUDIT);
      },
    ),
    { seed: SEED, numRuns: RUNS, path: process.env.FC_PATH, endOnFailure: false },
  );
}, 120_000);
