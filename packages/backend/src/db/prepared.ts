// Runs a compiled Kysely query as a node-postgres named (prepared) statement: PostgreSQL parses and
// plans it once per connection, and every later call only binds and executes it. Kysely's own
// driver sends unnamed statements, which are parsed and planned on every call. For the hot path.
import type { CompiledQuery } from 'kysely';
import { poolOf, settingsOf, type Database } from './database.ts';

export async function executePrepared<R>(
  db: Database,
  name: string,
  query: CompiledQuery<R>,
): Promise<R[]> {
  // DATABASE_PREPARED_STATEMENTS=off: PgBouncer before 1.21 in transaction mode cannot keep a
  // named statement on the server connection it prepared it on (docs/scaling.md)
  const named = settingsOf(db).preparedStatements ? { name } : {};
  const result = await poolOf(db).query<R & Record<string, unknown>>({
    ...named,
    text: query.sql,
    values: [...query.parameters],
  });
  return result.rows;
}
