// All Kysely for the job queue.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../db/database.ts';

type Executor = Kysely<DB> | Transaction<DB>;

export function insertJob(db: Executor, kind: string, payload: unknown, maxAttempts: number) {
  return db
    .insertInto('jobs')
    .values({ kind, payload: JSON.stringify(payload), max_attempts: maxAttempts })
    .returningAll()
    .executeTakeFirstOrThrow();
}
export type JobRow = Awaited<ReturnType<typeof insertJob>>;

/**
 * Claims the oldest runnable job of `kinds`: SKIP LOCKED lets many workers claim at once
 * without waiting on each other or taking the same job.
 */
export function claimNextJob(db: Executor, kinds: readonly string[], workerId: string) {
  return db
    .updateTable('jobs')
    .set((eb) => ({
      status: 'running',
      locked_by: workerId,
      locked_at: sql<Date>`now()`,
      attempts: eb('attempts', '+', 1),
    }))
    .where('id', '=', (eb) =>
      eb
        .selectFrom('jobs')
        .select('id')
        .where('status', '=', 'queued')
        .where('run_after', '<=', sql<Date>`now()`)
        .where('kind', 'in', kinds)
        .orderBy('run_after')
        .orderBy('id')
        .limit(1)
        .forUpdate()
        .skipLocked(),
    )
    .returningAll()
    .executeTakeFirst();
}

/**
 * Takes the row lock that marks the job alive for the whole of its transaction; undefined when
 * the job is no longer this worker's (a sweep gave it to another one).
 */
export function lockClaimedJob(trx: Transaction<DB>, id: string, workerId: string) {
  return trx
    .selectFrom('jobs')
    .select('id')
    .where('id', '=', id)
    .where('status', '=', 'running')
    .where('locked_by', '=', workerId)
    .forUpdate()
    .executeTakeFirst();
}

export function finishJob(
  db: Executor,
  id: string,
  status: 'succeeded' | 'failed' | 'cancelled',
  error: string | null = null,
) {
  return db
    .updateTable('jobs')
    .set({
      status,
      locked_by: null,
      locked_at: null,
      last_error: error,
      finished_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Back to the queue; `refundAttempt` when the worker stopped on purpose (a clean shutdown). */
export function requeueJob(db: Executor, id: string, error: string, refundAttempt: boolean) {
  return db
    .updateTable('jobs')
    .set((eb) => ({
      status: 'queued',
      locked_by: null,
      locked_at: null,
      last_error: error,
      attempts: refundAttempt ? eb('attempts', '-', 1) : eb.ref('attempts'),
    }))
    .where('id', '=', id)
    .where('status', '=', 'running')
    .executeTakeFirst();
}

/**
 * Jobs marked running whose row nobody holds locked: their worker died (process killed, network
 * gone) and PostgreSQL rolled their transaction back. They go back to the queue, or fail once
 * they have used their attempts. `graceSeconds` covers the moment between claim and lock.
 */
export function releaseAbandonedJobs(db: Executor, graceSeconds: number) {
  return db
    .updateTable('jobs')
    .set((eb) => ({
      status: eb
        .case()
        .when('attempts', '>=', eb.ref('max_attempts'))
        .then(sql.lit('failed'))
        .else(sql.lit('queued'))
        .end()
        .$castTo<'queued' | 'failed'>(),
      locked_by: null,
      locked_at: null,
      last_error: 'the worker running this job stopped before it finished',
      finished_at: eb
        .case()
        .when('attempts', '>=', eb.ref('max_attempts'))
        .then(sql<Date>`now()`)
        .else(null)
        .end(),
    }))
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('jobs')
        .select('id')
        .where('status', '=', 'running')
        .where('locked_at', '<', sql<Date>`now() - make_interval(secs => ${graceSeconds})`)
        .forUpdate()
        .skipLocked(),
    )
    .returningAll()
    .execute();
}
