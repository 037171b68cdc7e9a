// Runs the migrations to the latest: at every start of the server, and alone through migrate.cli.ts.
import { inspect } from 'node:util';
import { Migrator, sql, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
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

/**
 * The migrations to give Kysely's migrator: this release's, plus a placeholder for each one the
 * database has run that this release does not know, when all of those are newer than this
 * release's newest. That is the database of a rolling deploy: a newer instance has migrated it,
 * and an instance of this release that restarts must still start (every migration is written so
 * the previous release keeps working). Kysely refuses a database that ran unknown migrations; an
 * unknown one older than ours means the code and the database have diverged, and stays refused.
 * The placeholders are never run: they are already done.
 */
async function knownAndNewer(db: Kysely<DB>): Promise<Record<string, Migration>> {
  const table = await sql<{ exists: boolean }>`
    select to_regclass('kysely_migration') is not null as exists`.execute(db);
  if (table.rows[0]?.exists !== true) return migrations;
  const { rows } = await sql<{ name: string }>`select name from kysely_migration`.execute(db);
  const newest = Object.keys(migrations).sort().at(-1) ?? '';
  const unknown = rows.map((row) => row.name).filter((name) => !(name in migrations));
  if (unknown.length === 0 || unknown.some((name) => name < newest)) return migrations;
  const done: Migration = {
    up: () => Promise.reject(new Error("a newer release's migration, already run")),
  };
  return { ...migrations, ...Object.fromEntries(unknown.map((name) => [name, done])) };
}

export async function migrateToLatest(db: Kysely<DB>): Promise<MigrationResultSet> {
  const provided = await knownAndNewer(db);
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(provided) },
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
