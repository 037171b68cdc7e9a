// Prometheus metrics (prom-client), one registry per process, scraped at /metrics
// (plugins/metrics.ts). Other parts of the app import what they feed from here:
//   redemptions.inc({ outcome })              a redemption attempt's outcome
//   watchPool('main', pool)                   connections in use, idle, and clients waiting
//   jobQueueDepth.set({ queue }, n)           jobs waiting per queue (plugins/jobs.ts reads
//                                             them before each scrape: registerCollector)
//   webhookFailures.inc({ reason })           webhook deliveries that failed
import type pg from 'pg';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry });

export const httpRequestDuration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'Time to answer an HTTP request, by route (as declared, e.g. /api/coupons/:code)',
  labelNames: ['method', 'route', 'status_code'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

export const redemptions = new Counter({
  name: 'couponscan_redemptions_total',
  help: 'Redemption attempts by outcome (redeemed, already_redeemed, not_found, …); replays of a stored answer are not counted',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const jobQueueDepth = new Gauge({
  name: 'couponscan_job_queue_depth',
  help: 'Jobs waiting to run, by queue',
  labelNames: ['queue'] as const,
  registers: [registry],
});

export const webhookFailures = new Counter({
  name: 'couponscan_webhook_failures_total',
  help: 'Webhook delivery attempts that failed, by reason',
  labelNames: ['reason'] as const,
  registers: [registry],
});

/** Pools by name, each with how many watchers (two apps may share one pool). */
const pools = new Map<string, Map<pg.Pool, number>>();

/** Reports `pool` under `name` until the returned function is called (when the pool closes). */
export function watchPool(name: string, pool: pg.Pool): () => void {
  const watched = pools.get(name) ?? new Map<pg.Pool, number>();
  watched.set(pool, (watched.get(pool) ?? 0) + 1);
  pools.set(name, watched);
  let watching = true;
  return () => {
    if (!watching) return;
    watching = false;
    const count = (watched.get(pool) ?? 1) - 1;
    if (count > 0) watched.set(pool, count);
    else watched.delete(pool);
  };
}

new Gauge({
  name: 'couponscan_db_pool_connections',
  help: 'Database pool connections by state: total (open), idle, in_use, and clients waiting for one',
  labelNames: ['pool', 'state'] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const [name, watched] of pools) {
      let total = 0;
      let idle = 0;
      let waiting = 0;
      for (const pool of watched.keys()) {
        total += pool.totalCount;
        idle += pool.idleCount;
        waiting += pool.waitingCount;
      }
      this.set({ pool: name, state: 'total' }, total);
      this.set({ pool: name, state: 'idle' }, idle);
      this.set({ pool: name, state: 'in_use' }, total - idle);
      this.set({ pool: name, state: 'waiting' }, waiting);
    }
  },
});

const collectors = new Set<() => Promise<void> | void>();

/** Runs `collect` before every scrape (e.g. to read queue sizes); returns an unregister. */
export function registerCollector(collect: () => Promise<void> | void): () => void {
  collectors.add(collect);
  return () => {
    collectors.delete(collect);
  };
}

/** The exposition text; a failing collector leaves its metrics as they were. */
export async function scrape(onError: (error: unknown) => void): Promise<string> {
  await Promise.all(
    [...collectors].map(async (collect) => {
      try {
        await collect();
      } catch (error) {
        onError(error);
      }
    }),
  );
  return registry.metrics();
}
