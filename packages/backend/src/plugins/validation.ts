// Rules every route's input obeys, whatever its schema says: numbers
// are finite, texts carry no NUL character (PostgreSQL refuses them: SQLSTATE 22021), and a
// date-time is one PostgreSQL and JavaScript both read as the same instant. They live in Ajv, so
// a route added tomorrow gets them without asking, and the answer is the usual 422 validation_failed with pointers.
import type { FastifyServerOptions } from 'fastify';
import { isValidDateTime } from '../lib/date-time.ts';

type AjvServerOptions = NonNullable<FastifyServerOptions['ajv']>;
type Ajv = Parameters<NonNullable<AjvServerOptions['onCreate']>>[0];
type SchemaNode = Record<string, unknown>;

/** Adds `finite` to every number and `noNul` to every string of a schema (a deep copy). */
export function hardenSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(hardenSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  const node: SchemaNode = {};
  for (const [key, value] of Object.entries(schema as SchemaNode)) {
    // `const`, `enum`, `default` and `examples` hold data, not schemas
    node[key] = ['const', 'enum', 'default', 'examples'].includes(key)
      ? value
      : hardenSchema(value);
  }
  const types = Array.isArray(node.type) ? (node.type as unknown[]) : [node.type];
  if (types.includes('number') || types.includes('integer')) node.finite = true;
  if (types.includes('string')) node.noNul = true;
  return node;
}

/** A keyword that refuses with its own message (Ajv's default names only the keyword). */
function refusing<T>(test: (data: T) => boolean, keyword: string, message: string) {
  const validate = (_schema: boolean, data: T): boolean => {
    if (test(data)) return true;
    validate.errors = [{ keyword, message, params: {} }];
    return false;
  };
  validate.errors = [] as { keyword: string; message: string; params: object }[];
  return validate;
}

function addRules(ajv: Ajv): void {
  ajv.addKeyword({
    keyword: 'finite',
    schemaType: 'boolean',
    // A string coerced from "1e309" or "Infinity" arrives here as ±Infinity. No `type: 'number'`:
    // Ajv guards number keywords with isFinite(), so such a keyword (and `maximum`) never sees it.
    validate: refusing<unknown>(
      (data) => typeof data !== 'number' || Number.isFinite(data),
      'finite',
      'must be a finite number',
    ),
  });
  ajv.addKeyword({
    keyword: 'noNul',
    type: 'string',
    schemaType: 'boolean',
    validate: refusing<string>(
      (data) => !data.includes('\u0000'),
      'noNul',
      'must not contain NUL characters',
    ),
  });
  ajv.addFormat('date-time', { type: 'string', validate: isValidDateTime });
  // every schema a route compiles goes through here
  const compile = ajv.compile.bind(ajv);
  ajv.compile = ((schema: Parameters<Ajv['compile']>[0], meta?: boolean) =>
    compile(hardenSchema(schema) as typeof schema, meta)) as Ajv['compile'];
}

export const ajvOptions: AjvServerOptions = {
  customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: true },
  onCreate: addRules,
};
