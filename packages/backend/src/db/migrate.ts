// Runs the migrations: at every start of the server, and alone with `pnpm --filter
// @couponscan/backend migrate` (which also starts the embedded server when DATABASE_URL is unset).
import { Migrator, type Kysely, type MigrationResultSet } from 'kysely';
import type { DB } from './schema.ts';
import { migrations } from './migrations/index.ts';

export async function migrateToLatest(db: Kysely<DB>): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrations) },
  });
  const result = await migrator.migrateToLatest();
  if (result.error !== undefined) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${failed} failed`, { cause: result.error });
  }
  return result;
}

async function main(): Promise<void> {
  const { loadConfig } = await import('../config.ts');
  const { createDatabase, provideDatabaseServer } = await import('./database.ts');
  const config = loadConfig();
  const server = await provideDatabaseServer(config, (m) => process.stderr.write(`${m}\n`));
  const db = createDatabase(server.url, 2);
  try {
    const result = await migrateToLatest(db);
    const applied = result.results?.map((r) => r.migrationName) ?? [];
    process.stdout.write(
      applied.length === 0 ? 'database is up to date\n' : `applied: ${applied.join(', ')}\n`,
    );
  } finally {
    await db.destroy();
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  main().catch((error: unknown) => {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  });
}
