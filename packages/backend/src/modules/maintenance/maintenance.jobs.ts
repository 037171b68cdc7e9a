// Scheduled clean-ups, so that nothing grows without bound: ended sessions, expired idempotency
// keys. (pg-boss deletes its own finished jobs; webhooks clean up their history themselves.)
import type { Database } from '../../db/database.ts';
import { deleteEndedSessions } from '../auth/auth.repository.ts';
import type { JobDefinition } from '../jobs/job-queue.ts';
import { deleteExpiredIdempotencyKeys } from '../redemptions/redemptions.repository.ts';

/** Ended sessions are kept a day, for anyone looking into a problem with one. */
const SESSION_GRACE_HOURS = 24;

export function purgeExpiredSessionsJob(db: Database): JobDefinition {
  return {
    name: 'purge_expired_sessions',
    schedule: '17 * * * *',
    async run() {
      await deleteEndedSessions(db, SESSION_GRACE_HOURS);
    },
  };
}

export function purgeExpiredIdempotencyKeysJob(db: Database): JobDefinition {
  return {
    name: 'purge_expired_idempotency_keys',
    schedule: '23 * * * *',
    async run() {
      await deleteExpiredIdempotencyKeys(db);
    },
  };
}
