import { Type, type Static } from '@sinclair/typebox';
import { IdSchema, NonBlankStringSchema, TimestampSchema } from './common.ts';

export const StoreSchema = Type.Object({
  id: IdSchema,
  /** Short, human code, e.g. `BERLIN-01`. */
  code: Type.String(),
  name: Type.String(),
  createdAt: TimestampSchema,
});
export type Store = Static<typeof StoreSchema>;

export const CreateStoreBodySchema = Type.Object(
  {
    code: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9-]{1,31}$' }),
    name: NonBlankStringSchema(200),
  },
  { additionalProperties: false },
);
export type CreateStoreBody = Static<typeof CreateStoreBodySchema>;
