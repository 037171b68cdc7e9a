// Forms check their input with the API's own TypeBox schemas before sending, so that a marketer
// sees the same rule the server would apply, next to the field. TypeBox's Value module lives in
// the console chunk only: staff phones never download it.
import { FormatRegistry, type TSchema } from '@sinclair/typebox';
import { Value, type ValueError } from '@sinclair/typebox/value';
import type { FieldError } from '@couponscan/shared/errors';

// The server validates formats with ajv-formats; these are the ones the shared schemas use.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
if (!FormatRegistry.Has('uuid')) FormatRegistry.Set('uuid', (value) => UUID.test(value));
if (!FormatRegistry.Has('date-time')) {
  FormatRegistry.Set(
    'date-time',
    (value) => DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)),
  );
}
if (!FormatRegistry.Has('email')) FormatRegistry.Set('email', (value) => EMAIL.test(value));

/** Field errors keyed by JSON pointer into the body (`/discount/value`), first error per field. */
export type FieldErrors = Record<string, string>;

function messageFor(error: ValueError): string {
  const schema = error.schema as Record<string, unknown>;
  // `Number | Null` and the like: explain the branch the value was meant for
  if (Array.isArray(schema.anyOf)) {
    for (const variant of schema.anyOf as TSchema[]) {
      if (variant.type === 'null') continue;
      const inner = Value.Errors(variant, error.value).First();
      if (inner !== undefined) return messageFor(inner);
    }
  }
  if (typeof error.value === 'string') {
    if (schema.pattern === '\\S' || (schema.minLength === 1 && error.value.trim() === '')) {
      return 'Fill this in.';
    }
    if (typeof schema.maxLength === 'number' && error.value.length > schema.maxLength) {
      return `At most ${schema.maxLength} characters.`;
    }
    if (typeof schema.minLength === 'number' && error.value.length < schema.minLength) {
      return `At least ${schema.minLength} characters.`;
    }
    if (schema.format === 'email') return 'Enter an email address such as name@example.com.';
  }
  if (typeof error.value === 'number') {
    if (schema.type === 'integer' && !Number.isInteger(error.value)) return 'Enter a whole number.';
    if (typeof schema.minimum === 'number' && error.value < schema.minimum) {
      return `At least ${schema.minimum.toLocaleString()}.`;
    }
    if (typeof schema.exclusiveMinimum === 'number' && error.value <= schema.exclusiveMinimum) {
      return `More than ${schema.exclusiveMinimum.toLocaleString()}.`;
    }
    if (typeof schema.maximum === 'number' && error.value > schema.maximum) {
      return `At most ${schema.maximum.toLocaleString()}.`;
    }
  }
  if (error.value === undefined) return 'Fill this in.';
  return error.message.charAt(0).toUpperCase() + error.message.slice(1) + '.';
}

/** The first error of each field, or an empty object when `value` is what the API accepts. */
export function validate(schema: TSchema, value: unknown): FieldErrors {
  const errors: FieldErrors = {};
  for (const error of Value.Errors(schema, value)) {
    errors[error.path] ??= messageFor(error);
  }
  return errors;
}

/** The server's field errors (`/body/discount/value`) keyed like ours (`/discount/value`). */
export function serverFieldErrors(errors: readonly FieldError[] | undefined): FieldErrors {
  const result: FieldErrors = {};
  for (const error of errors ?? []) {
    const pointer = error.pointer.replace(/^\/(body|querystring)/, '');
    result[pointer] ??= error.message;
  }
  return result;
}
