// The race suite (test/helpers/race-suite.ts) through PgBouncer in transaction mode, the Debian
// package (skipped with a message when it is not installed). In transaction mode a server
// connection serves one transaction, then another client: session state does not survive, so
// the bounds are SET LOCAL inside each transaction (src/db/driver.ts), and named prepared
// statements need PgBouncer 1.21 or later (max_prepared_statements). Before that, as Debian
// bookworm's 1.18, the app runs with DATABASE_PREPARED_STATEMENTS=off and sends them unnamed.
import {
  findPgBouncer,
  pgBouncerPreparesStatements,
  pgBouncerVersion,
  startPgBouncer,
} from '../bench/support/pgbouncer.ts';
import type { DatabaseSettings } from '../src/config.ts';
import { createDatabase } from '../src/db/database.ts';
import { createTestApp, listen } from './helpers/app.ts';
import { createTestDatabase } from './helpers/database.ts';
import { raceSettings, raceSuite } from './helpers/race-suite.ts';

const binary = findPgBouncer();
if (binary === null) {
  process.stdout.write('skipping the PgBouncer race suite: pgbouncer is not installed\n');
} else {
  const preparedStatements = pgBouncerPreparesStatements(binary);
  process.stdout.write(
    `PgBouncer ${pgBouncerVersion(binary).join('.')} in transaction mode: named prepared statements ` +
      `${preparedStatements ? 'on (max_prepared_statements)' : 'off (DATABASE_PREPARED_STATEMENTS=off; needs 1.21+)'}\n`,
  );
  const settings: DatabaseSettings = raceSettings({ preparedStatements });

  raceSuite('through PgBouncer in transaction mode', async () => {
    const database = await createTestDatabase(10);
    const bouncer = await startPgBouncer(binary, database.url, 20);
    const pooled = [
      createDatabase(bouncer.url, 40, settings),
      createDatabase(bouncer.url, 40, settings),
    ];
    const apps = await Promise.all(
      pooled.map((db) =>
        createTestApp({ database: { url: bouncer.url, db, close: () => Promise.resolve() } }),
      ),
    );
    return {
      db: database.db,
      urls: await Promise.all(apps.map((t) => listen(t.app))),
      close: async () => {
        for (const t of apps) await t.close();
        for (const db of pooled) await db.destroy();
        await bouncer.stop();
        await database.close();
      },
    };
  });
}
