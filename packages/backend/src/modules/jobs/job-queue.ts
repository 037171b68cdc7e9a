// A job queue in PostgreSQL (the `jobs` table), worked inside the backend process. A job runs in
// one transaction that also holds its row lock: what it writes commits only if it succeeds, and a
// job whose worker died is recognisable (running, yet unlocked) and is put back or given up.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely, Transaction } from 'kysely';
import type { Database, DB } from '../../db/database.ts';
import {
  claimNextJob,
  finishJob,
  insertJob,
  lockClaimedJob,
  releaseAbandonedJobs,
  requeueJob,
  type JobRow,
} from './jobs.repository.ts';

export interface Job {
  id: string;
  kind: string;
  payload: unknown;
  /** 1 on the first run. */
  attempt: number;
  maxAttempts: number;
}

export interface JobContext {
  /** The job's transaction: what the job writes here commits only if the job succeeds. */
  trx: Transaction<DB>;
  /** Outside the transaction, for progress that others must see at once. */
  db: Database;
  /** Aborted when the worker stops: check it between chunks of work (see `throwIfStopped`). */
  signal: AbortSignal;
}

export interface JobHandler {
  run(job: Job, context: JobContext): Promise<void>;
  /** The job will not run again (failed or cancelled) and its transaction was rolled back. */
  onGiveUp?(db: Database, job: Job, reason: string): Promise<void>;
  /** The job went back to the queue (a stopping or dead worker) and will start over. */
  onRequeue?(db: Database, job: Job): Promise<void>;
}

/** Thrown by a handler that found its work cancelled: the job ends as cancelled, not failed. */
export class JobCancelled extends Error {
  constructor(message = 'cancelled') {
    super(message);
    this.name = 'JobCancelled';
  }
}

/** Thrown by a handler for an expected failure whose message may be shown to users. */
export class JobFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobFailed';
  }
}

class WorkerStopped extends Error {
  constructor() {
    super('the worker is stopping');
    this.name = 'WorkerStopped';
  }
}

export function throwIfStopped(signal: AbortSignal): void {
  if (signal.aborted) throw new WorkerStopped();
}

export interface JobQueueOptions {
  /** How often an idle worker looks for work; `poke()` wakes it at once. */
  pollIntervalMs?: number;
  /** How long a claimed job may stay unlocked before it counts as abandoned. */
  abandonGraceSeconds?: number;
  log?: FastifyBaseLogger;
}

const UNEXPECTED_FAILURE = 'the job failed on our side (the error was logged); try again';

export class JobQueue {
  readonly workerId = `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly handlers = new Map<string, JobHandler>();
  private readonly pollIntervalMs: number;
  private readonly abandonGraceSeconds: number;
  private readonly log: FastifyBaseLogger | undefined;
  private loop: Promise<void> | null = null;
  private stopping = new AbortController();
  private wake: (() => void) | null = null;
  private lastSweep = 0;

  constructor(
    private readonly db: Database,
    options: JobQueueOptions = {},
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.abandonGraceSeconds = options.abandonGraceSeconds ?? 30;
    this.log = options.log;
  }

  /** Registers (or replaces) the handler of a kind of job. */
  handle(kind: string, handler: JobHandler): void {
    this.handlers.set(kind, handler);
  }

  /** Adds a job; pass the caller's transaction so the job exists only if the caller commits. */
  async enqueue(
    db: Kysely<DB> | Transaction<DB>,
    kind: string,
    payload: unknown,
    options: { maxAttempts?: number } = {},
  ): Promise<string> {
    const row = await insertJob(db, kind, payload, options.maxAttempts ?? 3);
    return row.id;
  }

  /** Wakes an idle worker (call after the transaction that enqueued has committed). */
  poke(): void {
    this.wake?.();
  }

  get started(): boolean {
    return this.loop !== null;
  }

  start(): void {
    if (this.loop !== null) return;
    this.stopping = new AbortController();
    this.lastSweep = 0;
    this.loop = this.work();
  }

  /** Stops taking jobs; a running job is interrupted, rolled back and put back in the queue. */
  async stop(): Promise<void> {
    if (this.loop === null) return;
    this.stopping.abort();
    this.wake?.();
    await this.loop;
    this.loop = null;
    this.stopping = new AbortController();
  }

  /** Puts back (or gives up) jobs whose worker died; returns how many it found. */
  async releaseAbandoned(graceSeconds = this.abandonGraceSeconds): Promise<number> {
    const released = await releaseAbandonedJobs(this.db, graceSeconds);
    for (const row of released) {
      const job = toJob(row);
      const handler = this.handlers.get(job.kind);
      this.log?.warn({ jobId: job.id, kind: job.kind, status: row.status }, 'abandoned job');
      try {
        if (row.status === 'failed') await handler?.onGiveUp?.(this.db, job, row.last_error ?? '');
        else await handler?.onRequeue?.(this.db, job);
      } catch (error) {
        this.log?.error({ err: error, jobId: job.id }, 'could not record an abandoned job');
      }
    }
    return released.length;
  }

  /** Runs one runnable job, if there is one; true when it did. For the loop, and for tests. */
  async runNext(): Promise<boolean> {
    const kinds = [...this.handlers.keys()];
    if (kinds.length === 0) return false;
    const row = await claimNextJob(this.db, kinds, this.workerId);
    if (row === undefined) return false;
    await this.run(toJob(row));
    return true;
  }

  private async work(): Promise<void> {
    const signal = this.stopping.signal;
    // a function, as the signal changes behind the compiler's back
    const stopped = () => signal.aborted;
    while (!stopped()) {
      try {
        if (Date.now() - this.lastSweep > this.abandonGraceSeconds * 500) {
          this.lastSweep = Date.now();
          await this.releaseAbandoned();
        }
        if (await this.runNext()) continue;
      } catch (error) {
        // the database is away, say: wait and try again
        this.log?.error({ err: error }, 'job worker');
      }
      if (!stopped()) await this.idle();
    }
  }

  private idle(): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.pollIntervalMs);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => {
      this.wake = null;
    });
  }

  private async run(job: Job): Promise<void> {
    const handler = this.handlers.get(job.kind);
    if (handler === undefined) throw new Error(`no handler for jobs of kind ${job.kind}`);
    const signal = this.stopping.signal;
    try {
      const ran = await this.db.transaction().execute(async (trx) => {
        if ((await lockClaimedJob(trx, job.id, this.workerId)) === undefined) return false;
        await handler.run(job, { trx, db: this.db, signal });
        await finishJob(trx, job.id, 'succeeded');
        return true;
      });
      if (!ran) this.log?.warn({ jobId: job.id }, 'job was taken over by another worker');
    } catch (error) {
      if (error instanceof JobCancelled) {
        await finishJob(this.db, job.id, 'cancelled', error.message);
        await handler.onGiveUp?.(this.db, job, error.message);
      } else if (error instanceof WorkerStopped || signal.aborted) {
        await requeueJob(this.db, job.id, 'the worker stopped', true);
        await handler.onRequeue?.(this.db, job);
      } else {
        const reason = error instanceof JobFailed ? error.message : UNEXPECTED_FAILURE;
        this.log?.error({ err: error, jobId: job.id, kind: job.kind }, 'job failed');
        await finishJob(this.db, job.id, 'failed', reason);
        await handler.onGiveUp?.(this.db, job, reason);
      }
    }
  }
}

function toJob(row: JobRow): Job {
  return {
    id: row.id,
    kind: row.kind,
    payload: row.payload,
    attempt: row.attempts,
    maxAttempts: row.max_attempts,
  };
}
