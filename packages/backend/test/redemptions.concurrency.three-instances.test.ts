// The race suite (test/helpers/race-suite.ts) against three app instances, each with its own
// pool: the backend keeps no state of its own, so more instances behind a balancer change
// nothing about the guarantees (docs/scaling.md).
import { createDatabase, type Database } from '../src/db/database.ts';
import { createTestApp, listen, type TestApp } from './helpers/app.ts';
import { createTestDatabase } from './helpers/database.ts';
import { raceSettings, raceSuite } from './helpers/race-suite.ts';

raceSuite('three app instances', async () => {
  const database = await createTestDatabase(30, raceSettings());
  const pools: Database[] = [
    createDatabase(database.url, 30, raceSettings()),
    createDatabase(database.url, 30, raceSettings()),
  ];
  const apps: TestApp[] = [
    await createTestApp({ database }),
    ...(await Promise.all(
      pools.map((db) =>
        createTestApp({ database: { ...database, db, close: () => Promise.resolve() } }),
      ),
    )),
  ];
  return {
    db: database.db,
    urls: await Promise.all(apps.map((t) => listen(t.app))),
    close: async () => {
      for (const t of apps) await t.close();
      for (const db of pools) await db.destroy();
      await database.close();
    },
  };
});
