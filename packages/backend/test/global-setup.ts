// Starts one PostgreSQL for the whole run (DATABASE_URL if set, else an embedded one in a
// temporary directory), migrates a template database once (ours and pg-boss's schema), and tells the test files where it is.
// Each file copies the template (CREATE DATABASE … TEMPLATE), so files never share data.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { createDatabase } from '../src/db/database.ts';
import { startEmbeddedPostgres } from '../src/db/embedded.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { installJobQueueSchema } from '../src/modules/jobs/job-queue.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Server URL (any database); test files create their own databases on it. */
    pgServerUrl: string;
    /** The migrated template database to copy. */
    pgTemplate: string;
    /** A prefix for this run's databases, so parallel runs never collide. */
    pgRunPrefix: string;
  }
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let stopEmbedded: (() => Promise<void>) | null = null;
  let serverUrl = process.env.DATABASE_URL ?? '';
  let tempDir: string | null = null;
  if (serverUrl === '') {
    tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'couponscan-test-pg-'));
    fs.chmodSync(tempDir, 0o755);
    const embedded = await startEmbeddedPostgres({
      dataDir: path.join(tempDir, 'data'),
      ephemeral: true,
      // disposable test data: no fsync, for speed (test/embedded.test.ts checks the default)
      durable: false,
    });
    serverUrl = embedded.url;
    stopEmbedded = () => embedded.stop();
  }
  const runPrefix = `cs_test_${randomBytes(4).toString('hex')}`;
  const template = `${runPrefix}_template`;
  const admin = new pg.Client({ connectionString: serverUrl });
  // If the server is stopped under the run (turbo ending the task, Ctrl-C), PostgreSQL ends this
  // connection with 57P01; unhandled, that 'error' event would kill the test process.
  let adminLost = false;
  admin.on('error', (error) => {
    adminLost = true;
    process.stderr.write(`test database connection lost: ${error.message}\n`);
  });
  await admin.connect();
  const version = await admin.query<{ server_version: string }>('show server_version');
  process.stdout.write(
    `backend tests on PostgreSQL ${version.rows[0]?.server_version ?? '?'} ` +
      `(${stopEmbedded === null ? 'DATABASE_URL' : 'embedded'})\n`,
  );
  await admin.query(`create database ${template}`);
  const db = createDatabase(withDatabase(serverUrl, template), 1);
  await migrateToLatest(db);
  await db.destroy();
  // pg-boss's schema too, so that no test file installs it again
  await installJobQueueSchema(withDatabase(serverUrl, template));

  project.provide('pgServerUrl', serverUrl);
  project.provide('pgTemplate', template);
  project.provide('pgRunPrefix', runPrefix);

  return async () => {
    if (!adminLost) {
      const { rows } = await admin.query<{ datname: string }>(
        'select datname from pg_database where datname like $1',
        [`${runPrefix}%`],
      );
      for (const { datname } of rows)
        await admin.query(`drop database if exists ${datname} with (force)`);
    }
    await admin.end().catch(() => undefined);
    await stopEmbedded?.();
    if (tempDir !== null) fs.rmSync(tempDir, { recursive: true, force: true });
  };
}
