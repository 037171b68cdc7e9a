// The scan flow's rules, on the pure reducer: time, keys and the network are in the events, so
// every rule about "a moment" is tested with exact timestamps, never by waiting.
import { formatCouponCode } from '@couponscan/shared/code';
import { describe, expect, it } from 'vitest';
import type { RedeemResult } from '../src/features/scan/api/redeem-coupon.ts';
import {
  CODE_GONE_FRAMES,
  CODE_GONE_MS,
  initialScanState,
  JUST_REDEEMED_MS,
  NOT_A_COUPON_READS,
  scanFlowReducer,
  type ScanEvent,
  type ScanState,
} from '../src/features/scan/flow/scan-flow.ts';
import { earlierRedemption, newCode, redemptionSuccess, refusal } from './fixtures.ts';

const HOST = 'till.example';

function run(events: ScanEvent[], from: ScanState = initialScanState): ScanState {
  return events.reduce(scanFlowReducer, from);
}

let keys = 0;
function read(text: string, at: number, mode: 'confirm' | 'instant' = 'instant'): ScanEvent {
  return {
    type: 'scanned',
    text,
    at,
    mode,
    online: true,
    appHost: HOST,
    idempotencyKey: `key-${++keys}`,
  };
}

function redeemed(state: ScanState, code: string, at: number): ScanState {
  const operation = state.request?.operation ?? -1;
  const success = redemptionSuccess(code);
  const result: RedeemResult = { outcome: 'redeemed', success };
  return run([{ type: 'redeem_answered', operation, result, at }], state);
}

/** Every read of the code for `ms`, 10 a second, as a phone's camera decodes it. */
function held(text: string, from: number, ms: number): ScanEvent[] {
  const events: ScanEvent[] = [];
  for (let at = from; at <= from + ms; at += 100) events.push(read(text, at));
  return events;
}

/** Frames the camera looked at without finding a QR code: the code is out of view. */
function missed(frames = CODE_GONE_FRAMES): ScanEvent[] {
  return Array.from({ length: frames }, () => ({ type: 'frame_missed' }) as const);
}

describe('one decision per presentation', () => {
  it('a code held in view after "Scan next" is not sent again, however long it stays', () => {
    const code = newCode();
    let state = run([read(code, 0)]);
    expect(state.request).toMatchObject({ kind: 'redeem', code });
    state = redeemed(state, code, 300);
    state = run([{ type: 'dismissed', at: 2_000 }, ...held(code, 2_100, 10_000)], state);
    expect(state.screen.step).toBe('ready');
    expect(state.request).toBeNull();
  });

  it('a code held in view that a starved camera decodes only every few seconds is not new', () => {
    const code = newCode();
    let state = redeemed(run([read(code, 0)]), code, 300);
    // decoding resumes slowly after the verdict, then manages one frame every 4 s
    state = run(
      [{ type: 'dismissed', at: 2_000 }, read(code, 6_000), read(code, 10_000), read(code, 14_000)],
      state,
    );
    expect(state.screen.step).toBe('ready');
    expect(state.request).toBeNull();
  });

  it(`a code is out of view only after ${CODE_GONE_MS} ms and ${CODE_GONE_FRAMES} frames without it`, () => {
    const code = newCode();
    const after = redeemed(run([read(code, 0)]), code, 300);
    const dismissed = run([{ type: 'dismissed', at: 1_000 }], after);
    // enough frames, too soon: a flicker of the same presentation
    const soon = run([...missed(), read(code, 1_000 + CODE_GONE_MS - 1)], dismissed);
    expect(soon.screen.step).toBe('ready');
    // long enough, one frame short
    const short = run(
      [...missed(CODE_GONE_FRAMES - 1), read(code, 1_000 + CODE_GONE_MS)],
      dismissed,
    );
    expect(short.screen.step).toBe('ready');
    // both: presented anew (the reminder, since this device just redeemed it)
    const back = run([...missed(), read(code, 1_000 + CODE_GONE_MS)], dismissed);
    expect(back.screen).toMatchObject({ step: 'verdict', verdict: { outcome: 'just_redeemed' } });
  });

  it('frames missed while a verdict is on screen do not count', () => {
    const code = newCode();
    let state = redeemed(run([read(code, 0)]), code, 300);
    state = run(
      [...missed(), { type: 'dismissed', at: 2_000 }, read(code, 2_000 + CODE_GONE_MS)],
      state,
    );
    expect(state.screen.step).toBe('ready');
  });

  it('reads while a verdict is on screen decide nothing, even of another code', () => {
    const first = newCode();
    let state = redeemed(run([read(first, 0)]), first, 300);
    state = run(held(newCode(), 400, 3_000), state);
    expect(state.screen).toMatchObject({ step: 'verdict', code: first });
    expect(state.request).toBeNull();
  });

  it('a second code waiting behind a verdict is handled once the verdict is dismissed', () => {
    const first = newCode();
    const second = newCode();
    let state = redeemed(run([read(first, 0)]), first, 300);
    state = run(
      [read(second, 1_000), { type: 'dismissed', at: 2_000 }, read(second, 2_100)],
      state,
    );
    expect(state.request).toMatchObject({ kind: 'redeem', code: second });
  });

  it(`the code just redeemed, back after ${CODE_GONE_MS} ms out of view, says "You just redeemed this" without a request`, () => {
    const code = newCode();
    let state = redeemed(run([read(code, 0)]), code, 300);
    state = run([{ type: 'dismissed', at: 2_000 }, read(code, 2_100)], state);
    expect(state.screen.step).toBe('ready');
    state = run([...missed(), read(code, 2_100 + CODE_GONE_MS)], state);
    expect(state.request).toBeNull();
    expect(state.screen).toMatchObject({
      step: 'verdict',
      verdict: { outcome: 'just_redeemed', displayCode: formatCouponCode(code) },
    });
  });

  it('a multi-use coupon is redeemed again only by the deliberate "Redeem again", with a new key', () => {
    const code = newCode();
    let state = run([read(code, 0)]);
    const firstKey = state.request?.kind === 'redeem' ? state.request.idempotencyKey : '';
    const result: RedeemResult = {
      outcome: 'redeemed',
      success: { ...redemptionSuccess(code), redemptionsLeft: 2 },
    };
    state = run(
      [
        { type: 'redeem_answered', operation: state.request?.operation ?? -1, result, at: 300 },
        { type: 'dismissed', at: 1_000 },
        ...missed(),
        read(code, 1_000 + CODE_GONE_MS + 1),
      ],
      state,
    );
    expect(state.screen).toMatchObject({
      verdict: { outcome: 'just_redeemed', redemptionsLeft: 2 },
    });
    expect(state.request).toBeNull();

    state = run([{ type: 'redeem_again', idempotencyKey: 'deliberate' }], state);
    expect(state.request).toMatchObject({ kind: 'redeem', code, idempotencyKey: 'deliberate' });
    expect(firstKey).not.toBe('deliberate');
  });

  it(`after ${JUST_REDEEMED_MS / 60_000} minutes the same code is asked about again`, () => {
    const code = newCode();
    let state = redeemed(run([read(code, 0)]), code, 300);
    state = run(
      [{ type: 'dismissed', at: 1_000 }, ...missed(), read(code, 300 + JUST_REDEEMED_MS)],
      state,
    );
    expect(state.request).toMatchObject({ kind: 'redeem', code });
  });

  it("the server's already_redeemed for this device's own last redemption is the reminder, not ALREADY USED", () => {
    const code = newCode();
    let state = redeemed(run([read(code, 0)]), code, 300);
    const own = state.recent?.redemption;
    state = run(
      [
        { type: 'dismissed', at: 1_000 },
        {
          type: 'typed',
          code,
          at: 1_000 + JUST_REDEEMED_MS,
          mode: 'confirm',
          online: true,
          idempotencyKey: 'k',
        },
      ],
      state,
    );
    const result: RedeemResult = {
      outcome: 'already_redeemed',
      refusal: refusal('already_redeemed', code, {
        earlierRedemptions: [
          { ...earlierRedemption(own?.createdAt ?? ''), redemptionId: own?.id ?? '' },
        ],
      }),
    };
    state = run([{ type: 'confirmed', idempotencyKey: 'k2' }], {
      ...state,
      screen: { step: 'confirm', code, preview: {} as never },
    });
    state = run(
      [{ type: 'redeem_answered', operation: state.request?.operation ?? -1, result, at: 2_000 }],
      state,
    );
    expect(state.screen).toMatchObject({ verdict: { outcome: 'just_redeemed' } });
  });
});

describe('QR codes that are not coupons', () => {
  it(`a bad check character needs ${NOT_A_COUPON_READS} identical reads in a row, then says so without a request`, () => {
    const code = newCode();
    const misread = code.slice(0, -1) + (code.endsWith('0') ? '1' : '0');
    // another code misread once in between: its last character changed too, never by chance kept
    const other = newCode();
    const otherMisread = other.slice(0, -1) + (other.endsWith('0') ? '1' : '0');
    let state = run([read(misread, 0)]);
    expect(state.screen.step).toBe('ready');
    state = run([read(otherMisread, 50), read(misread, 100)], state);
    expect(state.screen.step).toBe('ready');
    state = run([read(misread, 200)], state);
    expect(state.screen).toMatchObject({
      step: 'verdict',
      verdict: { outcome: 'invalid_code', readLocally: true },
    });
    expect(state.request).toBeNull();
  });

  it.each([
    ['a restaurant menu', 'https://menu.example/today'],
    ['a coupon link of another host', `https://elsewhere.example/c/${newCode()}`],
    ['Wi-Fi details', 'WIFI:S:Shop;T:WPA;P:secret;;'],
  ])('%s is "not a coupon"', (_, text) => {
    const state = run([read(text, 0), read(text, 100)]);
    expect(state.screen).toMatchObject({ step: 'verdict', verdict: { outcome: 'not_a_coupon' } });
    expect(state.request).toBeNull();
  });

  it("the app's own coupon link is the code in it", () => {
    const code = newCode();
    const state = run([read(`https://${HOST}/c/${code}`, 0)]);
    expect(state.request).toMatchObject({ kind: 'redeem', code });
  });
});

describe('confirm mode and failures', () => {
  it('confirm mode previews first and redeems only when confirmed, with a new key', () => {
    const code = newCode();
    let state = run([read(code, 0, 'confirm')]);
    expect(state.request).toMatchObject({ kind: 'preview', code });
    state = run([{ type: 'confirmed', idempotencyKey: 'tap' }], {
      ...state,
      screen: { step: 'confirm', code, preview: {} as never },
    });
    expect(state.request).toMatchObject({ kind: 'redeem', idempotencyKey: 'tap' });
  });

  it.each([
    ['no_answer', { kind: 'no_answer' }],
    ['busy', { kind: 'busy' }],
    ['offline', { kind: 'offline' }],
  ] as const)(
    'a redemption that fails with %s is "not confirmed", and Check again reuses its key',
    (reason, failure) => {
      const code = newCode();
      let state = run([read(code, 0)]);
      const key = state.request?.kind === 'redeem' ? state.request.idempotencyKey : '';
      state = run(
        [{ type: 'redeem_failed', operation: state.request?.operation ?? -1, failure }],
        state,
      );
      expect(state.screen).toMatchObject({ step: 'unconfirmed', reason, idempotencyKey: key });
      state = run([{ type: 'check_again', online: true }], state);
      expect(state.request).toMatchObject({ kind: 'redeem', idempotencyKey: key });
    },
  );

  it('an answer to an operation that is no longer current is dropped', () => {
    const code = newCode();
    let state = run([read(code, 0, 'confirm')]);
    const stale = state.request?.operation ?? -1;
    state = run([{ type: 'dismissed', at: 100 }], state);
    state = run(
      [{ type: 'preview_failed', operation: stale, failure: { kind: 'no_answer' } }],
      state,
    );
    expect(state.screen.step).toBe('ready');
  });

  it('a redemption on its way cannot be dismissed', () => {
    const state = run([read(newCode(), 0), { type: 'dismissed', at: 10 }]);
    expect(state.screen.step).toBe('redeeming');
  });
});
