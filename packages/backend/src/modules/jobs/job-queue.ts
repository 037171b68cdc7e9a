// Background work on pg-boss (https://pgboss.io): a job queue in PostgreSQL's own tables (schema
// `pgboss`), claimed with SKIP LOCKED, retried with backoff, kept for a while and then deleted by
// pg-boss's maintenance. Jobs are sent inside the caller's Kysely transaction, so a job exists only
// if the row that asked for it commits.
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import {
  fromKysely,
  PgBoss,
  type ConstructorOptions,
  type JobWithMetadata,
  type QueueOptions,
  type SendOptions,
} from 'pg-boss';
import type { DB } from '../../db/database.ts';

/** Every kind of job; the app refuses to start unless each has a handler (see assertEveryJobHandled). */
export const JOB_NAMES = [
  'issue_batch',
  'issue_batch_dead',
  'purge_expired_sessions',
  'purge_expired_idempotency_keys',
  'dispatch_webhook_events',
  'deliver_webhook',
  'purge_webhook_history',
  'roll_up_statistics',
] as const;
export type JobName = (typeof JOB_NAMES)[number];

export interface RunningJob<T> {
  id: string;
  name: JobName;
  data: T;
  /** 0 on the first run. */
  retryCount: number;
  retryLimit: number;
  createdOn: Date;
  /** Aborted when the worker stops or pg-boss takes the job back (expired, heartbeat lost). */
  signal: AbortSignal;
  /**
   * Completes the job inside the caller's transaction, so the job's writes and its completion
   * commit together. Throws when this attempt no longer holds the job (it expired, or another
   * worker took it over): the caller's transaction then rolls back.
   */
  completeWithin(db: Kysely<DB>): Promise<void>;
}

export interface JobDefinition<T = object> {
  name: JobName;
  /** Retries, backoff, expiry, heartbeat, dead letter queue. */
  queue?: QueueOptions & { deadLetter?: string };
  /** Jobs of this kind run at most this many at a time per process. */
  concurrency?: number;
  /** A cron expression (UTC): pg-boss sends one job each time it comes round. */
  schedule?: string;
  /** Also send one job when the workers start, rather than wait for the schedule. */
  sendAtStart?: boolean;
  run(job: RunningJob<T>): Promise<void>;
}

/** Thrown by a handler when the job must not be retried: it ends as failed at once. */
export class JobFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobFailed';
  }
}

/** Thrown by a handler that found its work cancelled. */
export class JobCancelled extends Error {
  constructor(message = 'cancelled') {
    super(message);
    this.name = 'JobCancelled';
  }
}

export class WorkerStopped extends Error {
  constructor() {
    super('the worker is stopping');
    this.name = 'WorkerStopped';
  }
}

export function throwIfStopped(signal: AbortSignal): void {
  if (signal.aborted) throw new WorkerStopped();
}

/** Fails at start-up when a kind of job has no handler, or a handler names no kind of job. */
export function assertEveryJobHandled(definitions: readonly JobDefinition<never>[]): void {
  const handled = new Set<string>(definitions.map((d) => d.name));
  const missing = JOB_NAMES.filter((name) => !handled.has(name));
  if (missing.length > 0) throw new Error(`jobs without a handler: ${missing.join(', ')}`);
  if (handled.size !== definitions.length) throw new Error('a kind of job has two handlers');
}

export interface JobQueueOptions {
  connectionString: string;
  poolSize: number;
  pollingIntervalSeconds?: number;
  superviseIntervalSeconds?: number;
  log?: FastifyBaseLogger;
  /** Extra pg-boss options (tests turn the schedule off, say). */
  boss?: Partial<ConstructorOptions>;
}

export class JobQueue {
  readonly boss: PgBoss;
  private readonly definitions = new Map<JobName, JobDefinition<never>>();
  private readonly workerIds = new Map<JobName, string>();
  private readonly pollingIntervalSeconds: number;
  private readonly log: FastifyBaseLogger | undefined;
  private stopping = new AbortController();
  private booted = false;

  constructor(definitions: readonly JobDefinition<never>[], options: JobQueueOptions) {
    for (const definition of definitions) this.definitions.set(definition.name, definition);
    this.pollingIntervalSeconds = options.pollingIntervalSeconds ?? 2;
    this.log = options.log;
    const supervise = options.superviseIntervalSeconds ?? 60;
    this.boss = new PgBoss({
      connectionString: options.connectionString,
      max: options.poolSize,
      application_name: 'couponscan-jobs',
      superviseIntervalSeconds: supervise,
      monitorIntervalSeconds: supervise,
      // finished jobs are deleted after deleteAfterSeconds (7 days); look for them hourly
      maintenanceIntervalSeconds: 3600,
      ...options.boss,
    });
    this.boss.on('error', (error) => {
      this.log?.error({ err: error }, 'job queue');
    });
    this.boss.on('warning', (warning) => {
      this.log?.warn({ data: warning.data }, `job queue: ${warning.message}`);
    });
  }

  /** Installs or upgrades pg-boss's schema and creates the queues; workers do not start yet. */
  async boot(): Promise<void> {
    if (this.booted) return;
    await this.boss.start();
    this.booted = true;
    // dead letter queues first: a queue names its dead letter queue, which must exist
    const ordered = [...this.definitions.values()].sort(
      (a, b) =>
        Number(a.queue?.deadLetter !== undefined) - Number(b.queue?.deadLetter !== undefined),
    );
    for (const definition of ordered) {
      const options = definition.queue ?? {};
      if ((await this.boss.getQueue(definition.name)) === null) {
        await this.boss.createQueue(definition.name, options);
      } else if (Object.keys(options).length > 0) {
        // the options of this version of the code win over those the queue was created with
        await this.boss.updateQueue(definition.name, options);
      }
    }
  }

  /** Replaces a handler before the workers start (tests hold a job at a gate this way). */
  handle(definition: JobDefinition<never>): void {
    if (this.workerIds.size > 0) throw new Error('stop the workers before replacing a handler');
    if (!this.definitions.has(definition.name))
      throw new Error(`unknown kind of job: ${definition.name}`);
    this.definitions.set(definition.name, definition);
  }

  /** Adds a job inside `db` (pass the caller's transaction); null when a singleton key held it back. */
  async send(
    db: Kysely<DB>,
    name: JobName,
    data: object,
    options: Omit<SendOptions, 'db'> = {},
  ): Promise<string | null> {
    if (!this.booted) throw new Error('the job queue has not booted');
    return this.boss.send(name, data, { ...options, db: fromKysely(db) });
  }

  /** Wakes the workers of `name` at once instead of at their next poll. */
  poke(name: JobName): void {
    const id = this.workerIds.get(name);
    if (id !== undefined) this.boss.notifyWorker(id);
  }

  get started(): boolean {
    return this.workerIds.size > 0;
  }

  /** Starts a worker per kind of job, and the schedules. */
  async start(): Promise<void> {
    await this.boot();
    if (this.started) return;
    this.stopping = new AbortController();
    for (const definition of this.definitions.values()) {
      const id = await this.boss.work(
        definition.name,
        {
          includeMetadata: true,
          batchSize: 1,
          localConcurrency: definition.concurrency ?? 1,
          pollingIntervalSeconds: this.pollingIntervalSeconds,
        },
        async (jobs: JobWithMetadata[]) => {
          for (const job of jobs) await this.run(definition, job);
        },
      );
      this.workerIds.set(definition.name, id);
      if (definition.schedule !== undefined) {
        await this.boss.schedule(definition.name, definition.schedule, {}, { tz: 'UTC' });
      }
      if (definition.sendAtStart === true) await this.boss.send(definition.name, {});
    }
  }

  /** Stops the workers: a running job is interrupted (its transaction rolls back) and retried later. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.stopping.abort();
    const names = [...this.workerIds.keys()];
    this.workerIds.clear();
    await Promise.all(names.map((name) => this.boss.offWork(name, { wait: true })));
  }

  async close(): Promise<void> {
    await this.stop();
    if (this.booted) await this.boss.stop({ graceful: true, close: true, timeout: 10_000 });
    this.booted = false;
  }

  /** true once boot() has made pg-boss's schema and queues available */
  get ready(): boolean {
    return this.booted;
  }

  /**
   * Jobs waiting to run (created, or failed and waiting for a retry), per kind: the queue depth,
   * counted now. (pg-boss's getQueues() counts are only as fresh as its last monitor pass.)
   */
  async depth(): Promise<Record<string, number>> {
    const names = [...this.definitions.keys()];
    const { rows } = await this.boss.getDb().executeSql(
      `select name, count(*)::int as waiting from pgboss.job
          where name = any($1) and state in ('created', 'retry') group by name`,
      [names],
    );
    const counted = new Map(
      (rows as { name: string; waiting: number }[]).map((row) => [row.name, row.waiting]),
    );
    return Object.fromEntries(names.map((name) => [name, counted.get(name) ?? 0]));
  }

  private async run(definition: JobDefinition<never>, job: JobWithMetadata): Promise<void> {
    const signal = AbortSignal.any([job.signal, this.stopping.signal]);
    const boss = this.boss;
    const name = definition.name;
    const running: RunningJob<never> = {
      id: job.id,
      name,
      data: job.data as never,
      retryCount: job.retryCount,
      retryLimit: job.retryLimit,
      createdOn: job.createdOn,
      signal,
      async completeWithin(db) {
        const result = await boss.complete(name, { id: job.id, retryCount: job.retryCount }, null, {
          db: fromKysely(db),
        });
        if (!('affected' in result) || result.affected !== 1)
          throw new Error(`job ${job.id} is no longer this worker's`);
      },
    };
    try {
      await definition.run(running);
    } catch (error) {
      if (error instanceof JobCancelled) {
        // the handler recorded why; nothing to retry
        await boss.cancel(name, { id: job.id, retryCount: job.retryCount });
        return;
      }
      if (error instanceof JobFailed) {
        // an expected failure the handler recorded for its users: retrying would fail the same way
        this.log?.warn({ jobId: job.id, kind: name, reason: error.message }, 'job gave up');
        return;
      }
      if (!(error instanceof WorkerStopped))
        this.log?.error({ err: error, jobId: job.id, kind: name }, 'job failed');
      throw error;
    }
  }
}

/**
 * Installs (or upgrades) pg-boss's schema and nothing else: for `pnpm migrate` and the tests'
 * template database. The server does the same as part of starting its queue.
 */
export async function installJobQueueSchema(connectionString: string): Promise<void> {
  const boss = new PgBoss({
    connectionString,
    max: 1,
    supervise: false,
    schedule: false,
    registerInstance: false,
  });
  await boss.start();
  await boss.stop({ graceful: false, close: true });
}
