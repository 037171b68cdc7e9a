import { Type, type Static } from '@sinclair/typebox';
import { IdSchema, NonBlankStringSchema, TimeZoneSchema, TimestampSchema } from './common.ts';

export const StoreSchema = Type.Object({
  id: IdSchema,
  /** Short, human code, e.g. `BERLIN-01`. */
  code: Type.String(),
  name: Type.String(),
  /** IANA time zone of the store's location, e.g. `Europe/Berlin` (default `UTC`). */
  timeZone: TimeZoneSchema,
  createdAt: TimestampSchema,
});
export type Store = Static<typeof StoreSchema>;

export const CreateStoreBodySchema = Type.Object(
  {
    code: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9-]{1,31}$' }),
    name: NonBlankStringSchema(200),
    /** Default `UTC`; an unknown zone is `422 validation_failed` at `/body/timeZone`. */
    timeZone: Type.Optional(TimeZoneSchema),
  },
  { additionalProperties: false },
);
export type CreateStoreBody = Static<typeof CreateStoreBodySchema>;

/** PATCH /api/stores/:id (admin): rename, or move to another time zone. The code never changes. */
export const UpdateStoreBodySchema = Type.Object(
  {
    name: Type.Optional(NonBlankStringSchema(200)),
    timeZone: Type.Optional(TimeZoneSchema),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateStoreBody = Static<typeof UpdateStoreBodySchema>;
