// What issuing pays for its keys: BENCH_KEY_ROWS coupons COPYed, in one transaction each,
// into tables shaped like `coupons` on a durable scratch database (bench/support/scratch.ts):
//   today          random UUIDv4 primary key (gen_random_uuid()), every index of `coupons`
//   UUIDv7         the same, with time-ordered ids generated in the application
//   UUIDv7, lean   UUIDv7 and only the indexes nothing can do without (primary key, unique code)
//   plain COPY     codes and campaign only, no key, no index, no constraint: the floor
// The random coupon code stays in every real variant: its unique index is what makes a code
// unguessable and single, and no key choice can make it sequential.
import { pipeline } from 'node:stream/promises';
import { sql } from 'kysely';
import { from as copyFrom } from 'pg-copy-streams';
import { poolOf } from '../src/db/database.ts';
import { uuidv7Drawer } from '../src/lib/uuidv7.ts';
import { codeDrawer, insertBatchCoupons } from '../src/modules/batches/batch-issuing.ts';
import { envNumber, printTable } from './support/load.ts';
import { checkpoint, startScratchDatabase } from './support/scratch.ts';

const ROWS = envNumber('BENCH_KEY_ROWS', 100_000);

interface Variant {
  name: string;
  /** DDL after `create table <t> (like coupons including all)`, with <t> as the table */
  ddl: (table: string) => string;
  columns: string;
  line: (code: string) => string;
  /** keep only the primary key and the unique code */
  leanIndexes?: boolean;
}

export async function run(): Promise<void> {
  const scratch = await startScratchDatabase();
  process.stdout.write(
    `issuing keys: ${ROWS} rows per variant (BENCH_KEY_ROWS)\ndatabase: ${scratch.description}\n`,
  );
  const pool = poolOf(scratch.db);
  try {
    const campaign = await scratch.db
      .insertInto('campaigns')
      .values({ name: 'Keys', discount_type: 'percent', discount_value: 5 })
      .returning('id')
      .executeTakeFirstOrThrow();
    const draw = codeDrawer();
    const newId = uuidv7Drawer();
    const indexes = await sql<{ indexdef: string }>`
      select indexdef from pg_indexes where tablename = 'coupons' order by indexname`.execute(
      scratch.db,
    );
    const withForeignKeys = (table: string) =>
      `alter table ${table} add foreign key (campaign_id) references campaigns (id),
                             add foreign key (batch_id) references batches (id),
                             add foreign key (voided_by) references users (id);`;
    const variants: Variant[] = [
      {
        name: 'today: UUIDv4 key, every index',
        ddl: withForeignKeys,
        columns: '(campaign_id, code, max_redemptions)',
        line: (code) => `${campaign.id},${code},1\n`,
      },
      {
        name: 'UUIDv7 key from the application, every index',
        ddl: withForeignKeys,
        columns: '(id, campaign_id, code, max_redemptions)',
        line: (code) => `${newId()},${campaign.id},${code},1\n`,
      },
      {
        name: 'UUIDv7 key, primary key and unique code only',
        ddl: withForeignKeys,
        leanIndexes: true,
        columns: '(id, campaign_id, code, max_redemptions)',
        line: (code) => `${newId()},${campaign.id},${code},1\n`,
      },
      {
        // not a candidate (the foreign key is an invariant): shows what the per-row check costs
        name: 'UUIDv7, primary key and unique code, no foreign keys (what they cost)',
        ddl: () => '',
        leanIndexes: true,
        columns: '(id, campaign_id, code, max_redemptions)',
        line: (code) => `${newId()},${campaign.id},${code},1\n`,
      },
    ];
    const rows: string[][] = [];
    const timeCopy = async (table: string, columns: string, line: (code: string) => string) => {
      const codes = Array.from({ length: ROWS }, () => draw(''));
      await checkpoint(scratch.db);
      const client = await pool.connect();
      try {
        const started = performance.now();
        await client.query('begin');
        // a COPY of this size may take longer than the pool's statement timeout
        await client.query('set local statement_timeout = 0');
        await pipeline(
          (function* () {
            for (let i = 0; i < codes.length; i += 10_000)
              yield codes
                .slice(i, i + 10_000)
                .map(line)
                .join('');
          })(),
          client.query(copyFrom(`copy ${table} ${columns} from stdin with (format csv)`)),
        );
        await client.query('commit');
        return performance.now() - started;
      } finally {
        client.release();
      }
    };
    for (const [index, variant] of variants.entries()) {
      const table = `keys_${index}`;
      await sql
        .raw(`create table ${table} (like coupons including all); ${variant.ddl(table)}`)
        .execute(scratch.db);
      if (variant.leanIndexes === true) {
        const created = await sql<{ indexname: string; indexdef: string }>`
          select indexname, indexdef from pg_indexes where tablename = ${table}`.execute(
          scratch.db,
        );
        for (const { indexname, indexdef } of created.rows) {
          if (/\((id|code)\)$/.test(indexdef)) continue;
          await sql.raw(`drop index ${indexname}`).execute(scratch.db);
        }
      }
      const ms = await timeCopy(table, variant.columns, variant.line);
      rows.push([variant.name, String(Math.round(ROWS / (ms / 1000))), (ms / 1000).toFixed(1)]);
    }
    await sql`create table keys_lean (campaign_id uuid, code text)`.execute(scratch.db);
    const leanMs = await timeCopy(
      'keys_lean',
      '(campaign_id, code)',
      (code) => `${campaign.id},${code}\n`,
    );
    rows.push([
      'plain COPY into a lean table',
      String(Math.round(ROWS / (leanMs / 1000))),
      (leanMs / 1000).toFixed(1),
    ]);

    // the real batch path (INSERT … SELECT FROM unnest, 20,000 a statement, UUIDv7) into coupons
    const batch = await scratch.db
      .insertInto('batches')
      .values({ campaign_id: campaign.id, count: ROWS, status: 'running' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await checkpoint(scratch.db);
    const batchStarted = performance.now();
    await scratch.db.transaction().execute(async (trx) => {
      await sql`set local statement_timeout = 0`.execute(trx);
      await insertBatchCoupons(trx, {
        id: batch.id,
        campaignId: campaign.id,
        count: ROWS,
        prefix: '',
        maxRedemptions: 1,
      });
    });
    const batchMs = performance.now() - batchStarted;
    rows.push([
      'batch path (insertBatchCoupons: unnest, UUIDv7) into coupons',
      String(Math.round(ROWS / (batchMs / 1000))),
      (batchMs / 1000).toFixed(1),
    ]);

    const indexList = indexes.rows.map((row) => /INDEX (\S+)/.exec(row.indexdef)?.[1] ?? '?');
    process.stdout.write(`indexes of coupons today: ${indexList.join(', ')}\n`);
    printTable(['variant', 'rows/s', 'wall s'], rows);
  } finally {
    await scratch.stop();
  }
}
