// Runs the migrations to the latest: at every start of the server, and alone through migrate.cli.ts.
import { inspect } from 'node:util';
import { Migrator, type Kysely, type MigrationResultSet } from 'kysely';
import type { DB } from './schema.ts';
import { migrations } from './migrations/index.ts';

/** The migrations this code knows that the database has not run (oldest first). */
export async function pendingMigrations(db: Kysely<DB>): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrations) },
  });
  const known = await migrator.getMigrations();
  return known.filter((m) => m.executedAt === undefined).map((m) => m.name);
}

export async function migrateToLatest(db: Kysely<DB>): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrations) },
    // Work lands from parallel branches, each with its own time slot in the name, so a
    // migration may arrive after a later-dated one has run; it runs then, in name order.
    allowUnorderedMigrations: true,
  });
  const result = await migrator.migrateToLatest();
  if (result.error !== undefined) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    // the reason in the message itself: `pnpm migrate` and the start-up log print messages
    const reason = result.error instanceof Error ? result.error.message : inspect(result.error);
    throw new Error(`migration ${failed} failed: ${reason}`, { cause: result.error });
  }
  return result;
}
