// The dashboard's rollup, run every minute by whichever instance's worker takes the job (pg-boss
// sends one per schedule tick across instances; rollUpStatistics is safe if two run anyway).
import type { Database } from '../../db/database.ts';
import type { JobDefinition } from '../jobs/job-queue.ts';
import { rollUpStatistics } from './stats-rollup.service.ts';

export function rollUpStatisticsJob(db: Database): JobDefinition {
  return {
    name: 'roll_up_statistics',
    schedule: '* * * * *',
    // after a deploy or a long stop, catch up at once rather than at the next minute
    sendAtStart: true,
    async run() {
      await rollUpStatistics(db);
    },
  };
}
