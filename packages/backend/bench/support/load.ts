// Load generation with autocannon, and the numbers a benchmark reports: throughput of
// successful answers and their latency percentiles, computed from every response time (autocannon's
// own summary has no p95).
import autocannon from 'autocannon';

export interface LoadOptions {
  url: string;
  connections: number;
  durationSeconds: number;
  /** Called for every request; `null` ends the run early (e.g. out of coupons to redeem). */
  nextRequest: () => LoadRequest | null;
}

export interface LoadRequest {
  method: 'POST' | 'GET';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface LoadResult {
  durationSeconds: number;
  requests: number;
  /** Responses by status code. */
  statuses: Map<number, number>;
  /** Successful (2xx) responses per second. */
  successPerSecond: number;
  /** Latency of successful responses, in milliseconds. */
  latency: { p50: number; p95: number; p99: number; max: number };
  errors: number;
  timeouts: number;
  /** Whether `nextRequest` ran out before the duration was over. */
  endedEarly: boolean;
}

export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const successTimes: number[] = [];
  const statuses = new Map<number, number>();
  let endedEarly = false;
  // what connections still send after an early end: a 404, never counted as a success
  const ended: LoadRequest = { method: 'GET', path: '/api/benchmark-ended', headers: {}, body: '' };
  let resolveResult: (result: autocannon.Result) => void = () => undefined;
  let rejectResult: (error: Error) => void = () => undefined;
  const finished = new Promise<autocannon.Result>((resolve, reject) => {
    resolveResult = resolve;
    rejectResult = reject;
  });
  // the callback form returns the instance, whose events give every response time
  const instance = autocannon(
    {
      url: options.url,
      connections: options.connections,
      duration: options.durationSeconds,
      // a request that takes longer than this counts as a timeout, not a latency
      timeout: 30,
      requests: [
        {
          setupRequest: (request) => {
            const next = endedEarly ? null : options.nextRequest();
            if (next === null && !endedEarly) {
              endedEarly = true;
              instance.stop();
            }
            return { ...request, ...(next ?? ended) };
          },
        },
      ],
    },
    (error: unknown, result) => {
      if (error === null || error === undefined) resolveResult(result);
      else
        rejectResult(
          error instanceof Error ? error : new Error('autocannon failed', { cause: error }),
        );
    },
  );
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    statuses.set(statusCode, (statuses.get(statusCode) ?? 0) + 1);
    if (statusCode >= 200 && statusCode < 300) successTimes.push(responseTime);
  });
  const result = await finished;
  successTimes.sort((a, b) => a - b);
  const durationSeconds = result.duration;
  return {
    durationSeconds,
    requests: [...statuses.values()].reduce((sum, n) => sum + n, 0),
    statuses,
    successPerSecond: successTimes.length / durationSeconds,
    latency: {
      p50: percentile(successTimes, 50),
      p95: percentile(successTimes, 95),
      p99: percentile(successTimes, 99),
      max: successTimes.at(-1) ?? Number.NaN,
    },
    errors: result.errors,
    timeouts: result.timeouts,
    endedEarly,
  };
}

/** Prints rows as an aligned plain-text table (also valid Markdown). */
export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  process.stdout.write(
    [
      line(header),
      `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
      ...rows.map(line),
    ].join('\n') + '\n',
  );
}

export function formatStatuses(statuses: Map<number, number>): string {
  return [...statuses.entries()]
    .sort(([a], [b]) => a - b)
    .map(([status, count]) => `${status}×${count}`)
    .join(' ');
}
