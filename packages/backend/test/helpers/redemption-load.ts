// Redemption load for the fault tests: workers that redeem coupons over real HTTP, each attempt
// with its own Idempotency-Key that it keeps for every retry (as the scanner does), spread
// round-robin over the backends, retrying on no answer, 503 and "still in progress" until a
// definitive answer. Every answer is recorded, so a test can check each one against the ledger.

export interface Attempt {
  code: string;
  key: string;
  /** `cookie` header of the user who redeems */
  cookie: string;
}

export interface Answer {
  /** 0: no HTTP answer (connection refused or reset, timed out) */
  status: number;
  code: string | null;
  retryAfter: string | null;
  redemptionId: string | null;
  replayed: boolean;
  target: string;
  error: string | null;
  /** Date.now() when the request was sent and when its answer (or failure) came */
  sentAt: number;
  at: number;
}

export interface AttemptResult {
  attempt: Attempt;
  answers: Answer[];
  final: Answer;
}

const DEFINITIVE = new Set([201, 404, 409, 422]);

function retryable(answer: Answer): boolean {
  if (answer.status === 409 && answer.code === 'idempotency_request_in_progress') return true;
  return !DEFINITIVE.has(answer.status);
}

export interface LoadOptions {
  workers: number;
  /** Pause between retries of one attempt: a client's backoff, not an assertion. */
  retryDelayMs?: number;
  requestTimeoutMs?: number;
  /** The whole run fails after this long. */
  deadlineMs?: number;
}

export class RedemptionLoad {
  readonly answers: Answer[] = [];
  private next = 0;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly targets: () => string[],
    private readonly options: LoadOptions,
  ) {}

  count(predicate: (answer: Answer) => boolean): number {
    return this.answers.filter(predicate).length;
  }

  /** Resolves when `predicate` holds after some answer; rejects at the deadline. */
  waitFor(predicate: () => boolean, what: string, deadlineMs = 60_000): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error(`timed out waiting for ${what}; answers so far: ${this.summary()}`));
      }, deadlineMs);
      const check = () => {
        if (!predicate()) return;
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve();
      };
      this.listeners.add(check);
    });
  }

  summary(): string {
    const byKind = new Map<string, number>();
    for (const a of this.answers) {
      const kind = a.status === 0 ? `no answer` : `${a.status} ${a.code ?? ''}`.trim();
      byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
    }
    return [...byKind].map(([kind, n]) => `${kind}: ${n}`).join(', ');
  }

  private pickTarget(): string {
    const targets = this.targets();
    const target = targets[this.next % targets.length];
    this.next++;
    if (target === undefined) throw new Error('no backend to send to');
    return target;
  }

  async send(attempt: Attempt, target = this.pickTarget()): Promise<Answer> {
    let answer: Answer;
    const sentAt = Date.now();
    try {
      const response = await fetch(`${target}/api/redemptions`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          cookie: attempt.cookie,
          'idempotency-key': attempt.key,
        },
        body: JSON.stringify({ code: attempt.code }),
        signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 30_000),
      });
      const text = await response.text();
      let body: { code?: string; redemption?: { id?: string } } = {};
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        // not JSON: recorded by status
      }
      answer = {
        status: response.status,
        code: body.code ?? null,
        retryAfter: response.headers.get('retry-after'),
        redemptionId: body.redemption?.id ?? null,
        replayed: response.headers.get('idempotent-replayed') === 'true',
        target,
        error: null,
        sentAt,
        at: Date.now(),
      };
    } catch (error) {
      answer = {
        status: 0,
        code: null,
        retryAfter: null,
        redemptionId: null,
        replayed: false,
        target,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        sentAt,
        at: Date.now(),
      };
    }
    this.answers.push(answer);
    for (const listener of [...this.listeners]) listener();
    return answer;
  }

  /** Runs every attempt to a definitive answer. */
  async run(attempts: Attempt[]): Promise<AttemptResult[]> {
    const queue = attempts.map((attempt, index) => ({ attempt, index }));
    const results: AttemptResult[] = new Array<AttemptResult>(attempts.length);
    const deadline = Date.now() + (this.options.deadlineMs ?? 120_000);
    const worker = async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
        const answers: Answer[] = [];
        for (;;) {
          const answer = await this.send(item.attempt);
          answers.push(answer);
          if (!retryable(answer)) break;
          if (Date.now() > deadline) {
            throw new Error(
              `attempt ${item.attempt.key} got no definitive answer before the deadline; ${this.summary()}`,
            );
          }
          await new Promise((resolve) => setTimeout(resolve, this.options.retryDelayMs ?? 50));
        }
        const final = answers.at(-1);
        if (final === undefined) throw new Error('no answer');
        results[item.index] = { attempt: item.attempt, answers, final };
      }
    };
    await Promise.all(Array.from({ length: this.options.workers }, worker));
    return results;
  }
}
