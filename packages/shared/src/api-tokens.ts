// API tokens: how a till or another program calls the API without a person's session. An admin
// creates one bound to a role (staff of one store, or marketer); its secret is shown once.
import { Type, type Static } from '@sinclair/typebox';
import { IdSchema, NonBlankStringSchema, TimestampSchema } from './common.ts';

/** Every secret starts with this, so that a leaked one is recognised (e.g. by secret scanners). */
export const API_TOKEN_PREFIX = 'cs_live_';

/** The roles a token may have: never admin. */
export const API_TOKEN_ROLES = ['staff', 'marketer'] as const;
export type ApiTokenRole = (typeof API_TOKEN_ROLES)[number];
export const ApiTokenRoleSchema = Type.Union(API_TOKEN_ROLES.map((role) => Type.Literal(role)));

export const ApiTokenSchema = Type.Object({
  id: IdSchema,
  name: Type.String(),
  role: ApiTokenRoleSchema,
  /** The store a staff token redeems in; null for marketer tokens. */
  storeId: Type.Union([IdSchema, Type.Null()]),
  storeName: Type.Union([Type.String(), Type.Null()]),
  /** The secret's first characters (`cs_live_` and four more), to tell tokens apart. */
  prefix: Type.String(),
  /** The user the token acts as: the ledger and scans name it with the token's name. */
  userId: IdSchema,
  createdAt: TimestampSchema,
  createdByName: Type.Union([Type.String(), Type.Null()]),
  /** Within a minute: the time is written at most once a minute per token. */
  lastUsedAt: Type.Union([TimestampSchema, Type.Null()]),
  /** Set once; a revoked token is refused from its next request on. */
  revokedAt: Type.Union([TimestampSchema, Type.Null()]),
});
export type ApiToken = Static<typeof ApiTokenSchema>;

/** The answer to creating a token: the only time its secret is ever shown. */
export const CreatedApiTokenSchema = Type.Object({
  token: ApiTokenSchema,
  /** Send as `Authorization: Bearer <secret>`. Stored only as a hash: it cannot be shown again. */
  secret: Type.String({ pattern: `^${API_TOKEN_PREFIX}[A-Za-z0-9_-]{43}$` }),
});
export type CreatedApiToken = Static<typeof CreatedApiTokenSchema>;

export const CreateApiTokenBodySchema = Type.Object(
  {
    name: NonBlankStringSchema(100),
    role: ApiTokenRoleSchema,
    /** Required for staff, refused for marketer. */
    storeId: Type.Optional(Type.Union([IdSchema, Type.Null()])),
  },
  { additionalProperties: false },
);
export type CreateApiTokenBody = Static<typeof CreateApiTokenBodySchema>;
