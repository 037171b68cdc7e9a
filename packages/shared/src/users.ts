import { Type, type Static } from '@sinclair/typebox';
import { EmailSchema, PasswordSchema, RoleSchema } from './auth.ts';
import { IdSchema, NonBlankStringSchema } from './common.ts';

export { UserSchema, type User } from './auth.ts';

export const CreateUserBodySchema = Type.Object(
  {
    email: EmailSchema,
    name: NonBlankStringSchema(200),
    password: PasswordSchema,
    role: RoleSchema,
    /** Required for staff, refused for other roles. */
    storeId: Type.Optional(Type.Union([IdSchema, Type.Null()])),
  },
  { additionalProperties: false },
);
export type CreateUserBody = Static<typeof CreateUserBodySchema>;

export const UpdateUserBodySchema = Type.Object(
  {
    name: Type.Optional(NonBlankStringSchema(200)),
    password: Type.Optional(PasswordSchema),
    role: Type.Optional(RoleSchema),
    storeId: Type.Optional(Type.Union([IdSchema, Type.Null()])),
    /** Disabling a user ends their sessions at once. */
    disabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateUserBody = Static<typeof UpdateUserBodySchema>;
