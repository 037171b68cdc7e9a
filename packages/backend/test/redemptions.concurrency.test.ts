// The race suite (test/helpers/race-suite.ts) against two app instances with pools of their own,
// like two backend processes behind a balancer.
import { createDatabase } from '../src/db/database.ts';
import { createTestApp, listen } from './helpers/app.ts';
import { createTestDatabase } from './helpers/database.ts';
import { raceSettings, raceSuite } from './helpers/race-suite.ts';

raceSuite('two app instances', async () => {
  const database = await createTestDatabase(40, raceSettings());
  const first = await createTestApp({ database });
  const secondDb = createDatabase(database.url, 40, raceSettings());
  const second = await createTestApp({
    database: { ...database, db: secondDb, close: () => Promise.resolve() },
  });
  return {
    db: database.db,
    urls: [await listen(first.app), await listen(second.app)],
    close: async () => {
      await first.close();
      await second.close();
      await secondDb.destroy();
      await database.close();
    },
  };
});
