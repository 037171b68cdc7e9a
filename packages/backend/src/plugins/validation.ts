// Rules every route's input obeys, whatever its schema says: numbers
// are finite, texts carry no NUL character (PostgreSQL refuses them: SQLSTATE 22021), and a
// date-time is one PostgreSQL and JavaScript both read as the same instant. They live in Ajv, so
// a route added tomorrow gets them without asking, and the answer is the usual 422 validation_failed with pointers.
// JSON bodies are validated as sent; only the parts that are text by nature (querystring, params,
// headers) have their types coerced.
import AjvCompiler from '@fastify/ajv-compiler';
import type { FastifyServerOptions } from 'fastify';
import { isValidDateTime } from '../lib/date-time.ts';

type Ajv = AjvCompiler.Ajv;
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
    // A querystring's "1e309" or "Infinity", coerced, and a body's literal 1e309 (JSON.parse reads
    // it so) arrive here as ±Infinity. No `type: 'number'`:
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

type CompilerOptions = NonNullable<Parameters<AjvCompiler.ValidatorFactory>[1]>;

/** For querystring, params and headers, text by nature: `?limit=10` is 10, `?status=a` is ['a']. */
const coercingOptions: CompilerOptions = {
  customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: true },
  onCreate: addRules,
};
/** For JSON bodies: a value has the type its schema says, or the request is refused. */
const strictOptions: CompilerOptions = {
  customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true },
  onCreate: addRules,
};

/**
 * A custom compiler turns off Fastify's lowercasing of header schemas (it cannot know what the
 * compiler does with them), so the names in `properties` and `required` are lowercased here, as
 * request headers always are. Fastify's own pass goes deeper (`dependencies`, `propertyNames`);
 * a header schema that needs those should be written in lowercase.
 */
function lowerCaseHeaderNames(schema: unknown): unknown {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return schema;
  const node = { ...(schema as SchemaNode) };
  if (node.properties !== null && typeof node.properties === 'object') {
    node.properties = Object.fromEntries(
      Object.entries(node.properties).map(([name, value]) => [name.toLowerCase(), value]),
    );
  }
  if (Array.isArray(node.required)) {
    node.required = (node.required as unknown[]).map((name) =>
      typeof name === 'string' ? name.toLowerCase() : name,
    );
  }
  return node;
}

/**
 * Fastify's own compiler (@fastify/ajv-compiler, its defaults and the options above), twice:
 * JSON bodies get an Ajv that never coerces, so `{"code": 12345}` or `{"value": "10"}` is a 422
 * rather than a quietly converted value; the other parts keep coercion. Fastify names the part
 * each schema is for (`httpPart`), as its docs on per-part validators show:
 * https://fastify.dev/docs/latest/Reference/Validation-and-Serialization/ and
 * https://github.com/fastify/fastify/issues/1992.
 */
function validatorFactory(): AjvCompiler.ValidatorFactory {
  // one pool per Fastify instance, as Fastify's default has: its Ajv instances go with the app
  const fromPool = AjvCompiler();
  return (externalSchemas) => {
    const coercing = fromPool(externalSchemas, coercingOptions);
    const strict = fromPool(externalSchemas, strictOptions);
    return (route) => {
      if (route.httpPart === 'body') return strict(route);
      if (route.httpPart === 'headers') {
        return coercing({
          ...route,
          schema: lowerCaseHeaderNames(route.schema) as typeof route.schema,
        });
      }
      return coercing(route);
    };
  };
}

/** The Fastify server options that install these rules for every route: spread into `Fastify()`. */
export function validationOptions() {
  return {
    schemaController: { compilersFactory: { buildValidator: validatorFactory() } },
  } satisfies Pick<FastifyServerOptions, 'schemaController'>;
}
