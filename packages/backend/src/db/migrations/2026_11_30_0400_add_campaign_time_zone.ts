// A campaign's time zone: the zone its validity window's calendar days are read in ("valid until
// 31 Dec" ends when 31 Dec ends there). Existing campaigns get UTC. The check is the shape of an
// IANA name, as for stores; the API checks that the zone exists. Frozen: never edit, add a new
// migration instead.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table campaigns add column time_zone text not null default 'UTC'
      check (time_zone ~ '^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$' and length(time_zone) <= 64);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table campaigns drop column time_zone`.execute(db);
}
