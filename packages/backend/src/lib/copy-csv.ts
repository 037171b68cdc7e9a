// Streams a query's rows as CSV straight from PostgreSQL (COPY … TO STDOUT, pg-copy-streams):
// PostgreSQL does the quoting (RFC 4180) and the header row, and backpressure reaches the
// database, so memory stays flat whatever the size. Every value is in double quotes
// (FORCE_QUOTE *), as OWASP recommends against CSV injection together with the leading single
// quote the export queries give text that begins like a formula.
import { pipeline, Transform, type Readable } from 'node:stream';
import type { CompiledQuery } from 'kysely';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { poolOf, type Database } from '../db/database.ts';

/**
 * COPY takes no bind parameters, so they are written into the text as literals, escaped by pg.
 * Kysely numbers them $1…$n; our export queries contain no other `$<digit>`.
 */
function inlineParameters(compiled: CompiledQuery, client: pg.PoolClient): string {
  return compiled.sql.replace(/\$(\d+)/g, (_, index: string) => {
    const value = compiled.parameters[Number(index) - 1];
    if (value instanceof Date) return client.escapeLiteral(value.toISOString());
    if (typeof value === 'string') return client.escapeLiteral(value);
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    throw new TypeError(`cannot inline a parameter of type ${typeof value} into COPY`);
  });
}

export interface CopyOptions {
  /**
   * A reader that takes nothing for this long while rows wait for it ends the export (an error
   * on the stream), so that a stalled download does not hold a transaction and a bulk-pool
   * connection open. Unset: no bound.
   */
  stallMs?: number;
}

export async function copyQueryToCsv(
  db: Database,
  compiled: CompiledQuery,
  options: CopyOptions = {},
): Promise<Readable> {
  const client = await poolOf(db).connect();
  let released = false;
  const release = (error?: Error) => {
    if (released) return;
    released = true;
    // with an error the connection is closed, which also stops a COPY still running
    client.release(error);
  };
  try {
    // an export of millions of rows to a slow client may take longer than the pool's 15 s
    await client.query("begin read only; set local statement_timeout = '30min'");
    const stream = client.query(
      copyTo(
        `copy (${inlineParameters(compiled, client)}) to stdout with (format csv, header, force_quote *)`,
      ),
    );
    stream.once('end', () => {
      client.query('commit').then(
        () => {
          release();
        },
        (error: unknown) => {
          release(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
    stream.once('error', (error) => {
      release(error);
    });
    // the HTTP client went away before the end
    stream.once('close', () => {
      if (!stream.readableEnded) release(new Error('the CSV export was abandoned'));
    });
    return options.stallMs === undefined ? stream : endWhenStalled(stream, options.stallMs);
  } catch (error) {
    release(error instanceof Error ? error : new Error(String(error)));
    throw error;
  }
}

/**
 * `source`, passed through; when what it produced waits unread for `stallMs` (the reader stopped
 * reading, e.g. a client that keeps its socket open but never reads), both streams are destroyed,
 * which rolls back the export's transaction and closes its connection. A slow query that has not
 * produced anything yet is not a stall: nothing waits for the reader then.
 */
function endWhenStalled(source: Readable, stallMs: number): Readable {
  let produced = 0;
  let lastConsumed = -1;
  let since = Date.now();
  const out = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      produced += chunk.length;
      callback(null, chunk);
    },
  });
  const watchdog = setInterval(
    () => {
      const consumed = produced - out.readableLength;
      const waiting = out.readableLength > 0 || out.writableLength > 0;
      if (!waiting || consumed !== lastConsumed) {
        lastConsumed = consumed;
        since = Date.now();
      } else if (Date.now() - since >= stallMs) {
        out.destroy(new Error(`the CSV export's reader took nothing for ${stallMs} ms`));
      }
    },
    Math.min(1000, Math.max(50, stallMs / 4)),
  );
  watchdog.unref();
  pipeline(source, out, () => {
    clearInterval(watchdog);
  });
  return out;
}
