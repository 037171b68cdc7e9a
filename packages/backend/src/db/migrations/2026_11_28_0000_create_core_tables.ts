// The foundation schema. The database itself enforces the invariants that protect money:
// a coupon is never redeemed more often than its limit, the ledger is append-only, a reversal
// undoes exactly one redemption of the same coupon and only once. Frozen: never edit, add a
// new migration instead.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table stores (
      id uuid primary key default gen_random_uuid(),
      code text not null unique check (code ~ '^[A-Z0-9][A-Z0-9-]{1,31}$'),
      name text not null check (length(name) between 1 and 200),
      created_at timestamptz not null default now()
    );

    create table users (
      id uuid primary key default gen_random_uuid(),
      email text not null check (length(email) between 3 and 254),
      name text not null check (length(name) between 1 and 200),
      role text not null check (role in ('admin', 'marketer', 'staff')),
      store_id uuid references stores (id),
      password_hash text not null,
      disabled_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      -- staff belong to exactly one store, admins and marketers to none
      constraint users_staff_have_a_store check ((role = 'staff') = (store_id is not null))
    );
    create unique index users_email_key on users (lower(email));
    create index users_store_id_idx on users (store_id);

    create table sessions (
      -- SHA-256 of the cookie's token: a leaked table does not leak sessions
      id text primary key,
      user_id uuid not null references users (id) on delete cascade,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      revoked_at timestamptz
    );
    create index sessions_user_id_idx on sessions (user_id);

    create table campaigns (
      id uuid primary key default gen_random_uuid(),
      name text not null check (length(name) between 1 and 200),
      discount_type text not null check (discount_type in ('percent', 'fixed_amount', 'free_item')),
      discount_value numeric(14, 2),
      discount_currency text check (discount_currency ~ '^[A-Z]{3}$'),
      discount_description text not null default '',
      max_redemptions_per_coupon integer not null default 1 check (max_redemptions_per_coupon >= 1),
      valid_from timestamptz,
      valid_until timestamptz,
      status text not null default 'active' check (status in ('active', 'paused', 'archived')),
      created_by uuid references users (id),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      constraint campaigns_validity_window check (valid_from is null or valid_until is null or valid_until > valid_from),
      constraint campaigns_discount_shape check (
        (discount_type = 'percent' and discount_value > 0 and discount_value <= 100 and discount_currency is null)
        or (discount_type = 'fixed_amount' and discount_value > 0 and discount_currency is not null)
        or (discount_type = 'free_item' and discount_value is null and discount_currency is null and discount_description <> '')
      )
    );
    create index campaigns_created_at_idx on campaigns (created_at desc, id desc);

    -- the stores a campaign is valid in; none means every store
    create table campaign_stores (
      campaign_id uuid not null references campaigns (id) on delete cascade,
      store_id uuid not null references stores (id),
      primary key (campaign_id, store_id)
    );
    create index campaign_stores_store_id_idx on campaign_stores (store_id);

    create table coupons (
      id uuid primary key default gen_random_uuid(),
      campaign_id uuid not null references campaigns (id),
      code text not null check (code ~ '^[0-9A-Z]{4,64}$'),
      max_redemptions integer not null check (max_redemptions >= 1),
      -- maintained only by the ledger trigger below; the check is the last line of defence
      redemption_count integer not null default 0,
      voided_at timestamptz,
      void_reason text,
      voided_by uuid references users (id),
      created_at timestamptz not null default now(),
      constraint coupons_code_key unique (code),
      constraint coupons_redemption_limit check (redemption_count >= 0 and redemption_count <= max_redemptions),
      constraint coupons_void_has_reason check ((voided_at is null) = (void_reason is null))
    );
    create index coupons_campaign_id_idx on coupons (campaign_id, id);

    -- every scan attempt, whatever its outcome
    create table scans (
      id uuid primary key default gen_random_uuid(),
      coupon_id uuid references coupons (id),
      code text not null,
      outcome text not null check (outcome in (
        'redeemed', 'already_redeemed', 'voided', 'expired', 'not_yet_valid',
        'campaign_paused', 'wrong_store', 'not_found', 'invalid_code')),
      store_id uuid references stores (id),
      user_id uuid not null references users (id),
      created_at timestamptz not null default now(),
      constraint scans_known_coupon check ((outcome in ('not_found', 'invalid_code')) = (coupon_id is null))
    );
    create index scans_coupon_id_idx on scans (coupon_id);
    create index scans_created_at_idx on scans (created_at);

    -- the append-only ledger: one row per redemption and per reversal
    create table transactions (
      id uuid primary key default gen_random_uuid(),
      kind text not null check (kind in ('redemption', 'reversal')),
      coupon_id uuid not null references coupons (id),
      store_id uuid not null references stores (id),
      user_id uuid not null references users (id),
      scan_id uuid unique references scans (id),
      reverses_id uuid unique,
      reverses_kind text check (reverses_kind = 'redemption'),
      reason text,
      created_at timestamptz not null default now(),
      constraint transactions_id_coupon_kind_key unique (id, coupon_id, kind),
      -- a reversal undoes a redemption of the same coupon, and (unique above) only once
      constraint transactions_reverses_fkey foreign key (reverses_id, coupon_id, reverses_kind)
        references transactions (id, coupon_id, kind),
      constraint transactions_reversal_shape check (
        (kind = 'redemption' and reverses_id is null and reverses_kind is null and scan_id is not null)
        or (kind = 'reversal' and reverses_id is not null and reverses_kind is not null and reason is not null))
    );
    create index transactions_coupon_id_idx on transactions (coupon_id, created_at);
    create index transactions_created_at_idx on transactions (created_at desc, id desc);
    create index transactions_store_id_idx on transactions (store_id, created_at desc);

    create function transactions_apply_to_coupon() returns trigger language plpgsql as $$
    begin
      update coupons
         set redemption_count = redemption_count + (case new.kind when 'redemption' then 1 else -1 end)
       where id = new.coupon_id;
      return new;
    end $$;
    create trigger transactions_apply_to_coupon after insert on transactions
      for each row execute function transactions_apply_to_coupon();

    create function transactions_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'the ledger is append-only: % on transactions is not allowed', tg_op
        using errcode = 'restrict_violation';
    end $$;
    create trigger transactions_append_only before update or delete on transactions
      for each row execute function transactions_append_only();

    -- the count follows the ledger and nothing else
    create function coupons_guard_redemption_count() returns trigger language plpgsql as $$
    begin
      if new.redemption_count is distinct from old.redemption_count and pg_trigger_depth() < 2 then
        raise exception 'coupons.redemption_count follows the ledger: insert into transactions instead'
          using errcode = 'restrict_violation';
      end if;
      return new;
    end $$;
    create trigger coupons_guard_redemption_count before update of redemption_count on coupons
      for each row execute function coupons_guard_redemption_count();

    create table idempotency_keys (
      user_id uuid not null references users (id) on delete cascade,
      key text not null,
      request_hash text not null,
      -- filled in the same transaction that claimed the key, so never seen empty by others
      response_status integer,
      response_body jsonb,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      primary key (user_id, key)
    );
    create index idempotency_keys_expires_at_idx on idempotency_keys (expires_at);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop table idempotency_keys;
    drop table transactions;
    drop function transactions_apply_to_coupon;
    drop function transactions_append_only;
    drop table scans;
    drop table coupons;
    drop function coupons_guard_redemption_count;
    drop table campaign_stores;
    drop table campaigns;
    drop table sessions;
    drop table users;
    drop table stores;
  `.execute(db);
}
