// The OpenAPI document as the app generates it, without a database: `pnpm openapi` writes it to
// docs/openapi.json, and a test compares that file with a fresh one.
import path from 'node:path';
import { buildApp } from './app.ts';
import { loadConfig, repoRoot } from './config.ts';
import { createDatabase } from './db/database.ts';

export const OPENAPI_FILE = path.join(repoRoot, 'docs', 'openapi.json');

/** Routes are declared at build time; no query runs, so the pool never connects. */
export async function generateOpenApiDocument(): Promise<unknown> {
  const db = createDatabase('postgres://couponscan@127.0.0.1:1/unused', 1);
  const app = await buildApp({ config: loadConfig({ LOG_LEVEL: 'silent' }), db });
  try {
    await app.ready();
    return app.swagger();
  } finally {
    await app.close();
    await db.destroy();
  }
}

/** The file's exact text: two-space JSON and a final newline. */
export function serialiseOpenApiDocument(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
