// Building blocks every API area uses: ids, timestamps, cursor pages.
import { Type, type Static, type TSchema } from '@sinclair/typebox';

export const IdSchema = Type.String({ format: 'uuid' });
export type Id = Static<typeof IdSchema>;

/** An RFC 3339 timestamp with offset, as JSON carries it. */
export const TimestampSchema = Type.String({ format: 'date-time' });
export type Timestamp = Static<typeof TimestampSchema>;

/**
 * Text a person must fill in: the server trims it, so only spaces counts as empty (and must be a
 * 400 here rather than a failed database check later).
 */
export function NonBlankStringSchema(maxLength: number) {
  return Type.String({ minLength: 1, maxLength, pattern: '\\S' });
}

/**
 * An IANA time zone name (`Europe/Berlin`, `America/Argentina/Buenos_Aires`, `UTC`). The schema
 * checks the shape; `isTimeZone` checks that the name exists (the server answers
 * `422 validation_failed` at `/querystring/tz` when it does not).
 */
const TIME_ZONE_PATTERN = '^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$';
export const TimeZoneSchema = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: TIME_ZONE_PATTERN,
});
export type TimeZone = Static<typeof TimeZoneSchema>;

/** Whether `name` is a time zone this JavaScript runtime knows (every IANA zone does). */
export function isTimeZone(name: string): boolean {
  if (name.length > 64 || !new RegExp(TIME_ZONE_PATTERN).test(name)) {
    return false;
  }
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export const IdParamsSchema = Type.Object({ id: IdSchema });

export const PageQuerySchema = Type.Object({
  /** Opaque: pass back `nextCursor` from the previous page. */
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
});
export type PageQuery = Static<typeof PageQuerySchema>;

export function PageSchema<T extends TSchema>(item: T) {
  return Type.Object({
    items: Type.Array(item),
    /** null on the last page */
    nextCursor: Type.Union([Type.String(), Type.Null()]),
  });
}
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const HealthSchema = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  version: Type.String(),
  uptimeSeconds: Type.Number(),
  database: Type.Object({
    status: Type.Union([Type.Literal('ok'), Type.Literal('down')]),
    latencyMs: Type.Union([Type.Number(), Type.Null()]),
  }),
});
export type Health = Static<typeof HealthSchema>;

/** GET /api/ready: may this instance take traffic? The database answers and its schema is current. */
export const ReadinessSchema = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
  database: Type.Union([Type.Literal('ok'), Type.Literal('down')]),
  migrations: Type.Object({
    /** Migrations this version of the code knows and the database has not run. */
    pending: Type.Array(Type.String()),
    /** null when the database could not be asked. */
    current: Type.Union([Type.Boolean(), Type.Null()]),
  }),
});
export type Readiness = Static<typeof ReadinessSchema>;
