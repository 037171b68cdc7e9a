// `pnpm openapi`: writes the generated OpenAPI document to docs/openapi.json.
import fs from 'node:fs';
import path from 'node:path';
import { generateOpenApiDocument, OPENAPI_FILE, serialiseOpenApiDocument } from './openapi.ts';

const text = serialiseOpenApiDocument(await generateOpenApiDocument());
fs.writeFileSync(OPENAPI_FILE, text);
process.stdout.write(`wrote ${path.relative(process.cwd(), OPENAPI_FILE)}\n`);
