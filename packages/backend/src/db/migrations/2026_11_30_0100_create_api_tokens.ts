// API tokens: a till or another program calls the API with `Authorization: Bearer <secret>`. Each
// token acts as a user of its own (role staff with a store, or marketer; named like the token), so
// scans, the ledger, idempotency keys and per-user rate limits work for it unchanged. Revoking a
// token disables its user in the same transaction (a trigger here), so redeem_coupon(), which
// reads the caller's users.disabled_at in its own statement, refuses a revoked token even when an
// instance still has it cached; the users trigger announces the change on `couponscan_auth`.
// Frozen: never edit, add a new migration instead.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table api_tokens (
      id uuid primary key default gen_random_uuid(),
      -- the user the token acts as; no password verifies for it, and it is no person's account
      user_id uuid not null unique references users (id),
      name text not null check (length(name) between 1 and 100),
      -- SHA-256 (hex) of the secret: a leaked table does not leak tokens
      secret_hash text not null unique check (secret_hash ~ '^[0-9a-f]{64}$'),
      -- the secret's first characters, so that admins can tell tokens apart
      secret_prefix text not null check (length(secret_prefix) between 1 and 16),
      created_by uuid references users (id),
      created_at timestamptz not null default now(),
      last_used_at timestamptz,
      revoked_at timestamptz
    );
    create index api_tokens_created_at_idx on api_tokens (created_at desc, id desc);

    -- Revoking is final, and it disables the token's user at once.
    create function api_token_revoked() returns trigger language plpgsql as $fn$
    begin
      if old.revoked_at is not null and new.revoked_at is distinct from old.revoked_at then
        raise exception 'an API token stays revoked' using errcode = 'check_violation';
      end if;
      if old.revoked_at is null and new.revoked_at is not null then
        update users set disabled_at = coalesce(disabled_at, now()), updated_at = now()
         where id = new.user_id;
      end if;
      return new;
    end $fn$;
    create trigger api_tokens_revoke before update of revoked_at on api_tokens
      for each row execute function api_token_revoked();

    -- The user of a revoked token is never enabled again.
    create function users_keep_revoked_tokens_disabled() returns trigger language plpgsql as $fn$
    begin
      if exists (select 1 from api_tokens t where t.user_id = new.id and t.revoked_at is not null) then
        raise exception 'the user of a revoked API token stays disabled' using errcode = 'check_violation';
      end if;
      return new;
    end $fn$;
    create trigger users_keep_revoked_tokens_disabled before update of disabled_at on users
      for each row when (old.disabled_at is not null and new.disabled_at is null)
      execute function users_keep_revoked_tokens_disabled();
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop trigger users_keep_revoked_tokens_disabled on users;
    drop function users_keep_revoked_tokens_disabled;
    drop table api_tokens;
    drop function api_token_revoked;
  `.execute(db);
}
