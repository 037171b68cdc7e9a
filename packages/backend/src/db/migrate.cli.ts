// `pnpm --filter @couponscan/backend migrate`: runs the migrations alone (the server also runs them
// at every start), then pg-boss's schema. Starts the embedded PostgreSQL when DATABASE_URL is unset.
import { loadConfig } from '../config.ts';
import { installJobQueueSchema } from '../modules/jobs/job-queue.ts';
import { createDatabase, provideDatabaseServer } from './database.ts';
import { migrateToLatest } from './migrate.ts';

const config = loadConfig();
const server = await provideDatabaseServer(config, (m) => process.stderr.write(`${m}\n`));
const db = createDatabase(server.url, 2);
try {
  const result = await migrateToLatest(db);
  // the job queue's own schema (pgboss), which pg-boss installs and upgrades itself
  await installJobQueueSchema(server.url);
  const applied = result.results?.map((r) => r.migrationName) ?? [];
  process.stdout.write(
    applied.length === 0 ? 'database is up to date\n' : `applied: ${applied.join(', ')}\n`,
  );
} catch (error) {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
} finally {
  await db.destroy();
  await server.stop();
}
