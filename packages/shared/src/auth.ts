import { Type, type Static } from '@sinclair/typebox';
import { IdSchema, TimestampSchema } from './common.ts';

export const ROLES = ['admin', 'marketer', 'staff'] as const;
export const RoleSchema = Type.Union(ROLES.map((role) => Type.Literal(role)));
export type Role = (typeof ROLES)[number];

export const EmailSchema = Type.String({ format: 'email', minLength: 3, maxLength: 254 });
export const PasswordSchema = Type.String({ minLength: 10, maxLength: 200 });

export const UserSchema = Type.Object({
  id: IdSchema,
  email: Type.String(),
  name: Type.String(),
  role: RoleSchema,
  /** The store a staff member works in; null for admins and marketers. */
  storeId: Type.Union([IdSchema, Type.Null()]),
  storeName: Type.Union([Type.String(), Type.Null()]),
  disabled: Type.Boolean(),
  createdAt: TimestampSchema,
});
export type User = Static<typeof UserSchema>;

export const LoginBodySchema = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBodySchema>;

export const SessionResponseSchema = Type.Object({
  user: UserSchema,
  /** Minutes within which staff may undo their own redemptions. */
  undoWindowMinutes: Type.Integer(),
});
export type SessionResponse = Static<typeof SessionResponseSchema>;

export const SESSION_COOKIE = 'couponscan_session';
