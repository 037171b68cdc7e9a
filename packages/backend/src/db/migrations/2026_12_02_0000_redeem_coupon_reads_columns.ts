// redeem_coupon() reads the coupon's and the campaign's columns it uses, and judges them in the
// statement that locks the coupon: redemption_refusal(c, k, …) there is inlined by the planner,
// where the previous version copied both whole rows into row variables (forming two tuples and
// converting them) to call it afterwards. Same signature, outcomes, details and answers; `create
// or replace` swaps it in place, so instances of the previous release keep calling it.
// Frozen: never edit, add a new migration instead.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create or replace function redeem_coupon(
      p_user_id uuid,
      -- sessions.id (the token's hash); null when the caller authenticated another way
      p_session_id text,
      p_store_id uuid,
      p_key text,
      p_request_hash text,
      -- the normalised code, or null when it did not parse (then p_invalid_detail says why)
      p_code text,
      p_raw_code text,
      p_display_code text,
      p_invalid_detail text,
      p_ttl_hours integer,
      p_undo_minutes integer,
      -- the HTTP status and body; body is the stored JSON answer, or the detail of a problem that
      -- is not stored (problem names its code: unauthenticated, forbidden, validation_failed,
      -- idempotency_key_reused, idempotency_request_in_progress)
      out status integer,
      out body text,
      out replayed boolean,
      out problem text,
      -- the ledger row a 201 wrote (null otherwise, and for a replay)
      out ledger_id uuid
    ) language plpgsql as $fn$
    declare
      v_user record;
      v_found record;
      v_key record;
      v_refusal text;
      v_scan_id uuid;
      v_scan_at timestamptz;
      v_undoable_until text;
      v_problem jsonb;
      v_answer json;
    begin
      replayed := false;

      -- The caller, read fresh: an app instance may have cached the session, but a revoked
      -- session, a disabled user or a changed role or store never redeems.
      select u.id, u.name, u.role, u.store_id, s.id as redeem_store_id, s.name as redeem_store_name
        into v_user
        from users u left join stores s on s.id = p_store_id
       where u.id = p_user_id
         and u.disabled_at is null
         and (p_session_id is null or exists (
               select 1 from sessions x
                where x.id = p_session_id and x.user_id = u.id
                  and x.revoked_at is null and x.expires_at > now()));
      if not found then
        status := 401; problem := 'unauthenticated'; body := 'Please log in.';
        return;
      end if;
      if v_user.role not in ('staff', 'admin') then
        status := 403; problem := 'forbidden'; body := 'This needs the role staff or admin.';
        return;
      end if;
      if v_user.role = 'staff' and v_user.store_id is distinct from p_store_id then
        status := 403; problem := 'forbidden'; body := 'Staff redeem only in their own store.';
        return;
      end if;
      if v_user.redeem_store_id is null then
        status := 422; problem := 'validation_failed'; body := 'There is no such store.';
        return;
      end if;

      -- Claim (user, key). The insert waits while another transaction holds the same key, so
      -- concurrent retries replay the first one's answer once it commits. An expired key is taken over.
      insert into idempotency_keys as k (user_id, key, request_hash, response_body, expires_at)
      values (p_user_id, p_key, p_request_hash, null, now() + make_interval(hours => p_ttl_hours))
      on conflict (user_id, key) do update
         set request_hash = excluded.request_hash, response_status = null,
             response_body = null, response_json = null, expires_at = excluded.expires_at
       where k.expires_at <= now();
      if not found then
        select k.request_hash, k.response_status,
               coalesce(k.response_json::text, k.response_body::text) as response_text
          into v_key
          from idempotency_keys k where k.user_id = p_user_id and k.key = p_key;
        if not found or v_key.response_status is null then
          status := 409; problem := 'idempotency_request_in_progress';
          body := 'The first request with this Idempotency-Key is still running.';
        elsif v_key.request_hash <> p_request_hash then
          status := 422; problem := 'idempotency_key_reused';
          body := 'This Idempotency-Key was used for a different request. Use a new key for a new attempt.';
        else
          status := v_key.response_status; body := v_key.response_text; replayed := true;
        end if;
        return;
      end if;

      if p_code is null then
        insert into scans (coupon_id, code, outcome, store_id, user_id, created_at)
        values (null, left(p_raw_code, 300), 'invalid_code', p_store_id, p_user_id, clock_timestamp())
        returning id into v_scan_id;
        status := 422;
        v_problem := jsonb_build_object('outcome', 'invalid_code', 'scanId', v_scan_id)
          || problem_head('invalid_code', 422, p_invalid_detail);
      else
        -- The lock: a concurrent redemption, reversal or void of this coupon waits here until we commit.
        select c.id, c.code, c.max_redemptions, c.redemption_count, c.void_reason,
               k.id as campaign_id, k.name as campaign_name, k.status as campaign_status,
               k.valid_from, k.valid_until, k.discount_type, k.discount_value,
               k.discount_currency, k.discount_description,
               redemption_refusal(c, k,
                 not exists (select 1 from campaign_stores cs where cs.campaign_id = k.id)
                 or exists (select 1 from campaign_stores cs
                             where cs.campaign_id = k.id and cs.store_id = p_store_id),
                 now()) as refusal
          into v_found
          from coupons c join campaigns k on k.id = c.campaign_id
         where c.code = p_code
           for update of c;
        if not found then
          insert into scans (coupon_id, code, outcome, store_id, user_id, created_at)
          values (null, p_code, 'not_found', p_store_id, p_user_id, clock_timestamp())
          returning id into v_scan_id;
          status := 404;
          v_problem := jsonb_build_object('outcome', 'not_found', 'scanId', v_scan_id)
            || problem_head('not_found', 404, 'No coupon has this code.');
        else
          v_refusal := v_found.refusal;
          insert into scans (coupon_id, code, outcome, store_id, user_id, created_at)
          values (v_found.id, p_code, coalesce(v_refusal, 'redeemed'), p_store_id, p_user_id,
                  clock_timestamp())
          returning id, created_at into v_scan_id, v_scan_at;

          if v_refusal is not null then
            status := 409;
            v_problem := jsonb_build_object(
                'outcome', v_refusal,
                'scanId', v_scan_id,
                'displayCode', p_display_code,
                'campaignName', v_found.campaign_name,
                'discount', jsonb_build_object(
                  'type', v_found.discount_type,
                  'value', v_found.discount_value::float8,
                  'currency', v_found.discount_currency,
                  'description', v_found.discount_description),
                'validFrom', json_time(v_found.valid_from),
                'validUntil', json_time(v_found.valid_until))
              || problem_head(v_refusal, 409, case v_refusal
                when 'already_redeemed' then
                  case when v_found.max_redemptions = 1 then 'This coupon has already been used.'
                  else format('This coupon has been used %s times, its limit.', v_found.max_redemptions)
                  end
                when 'voided' then
                  'This coupon was cancelled' || coalesce(': ' || v_found.void_reason, '') || '.'
                when 'expired' then
                  case when v_found.campaign_status = 'archived'
                    then format('The campaign %s has ended.', v_found.campaign_name)
                    else 'This coupon expired on '
                      || coalesce(json_time(v_found.valid_until), 'an earlier date') || '.'
                  end
                when 'not_yet_valid' then
                  'This coupon is valid from ' || coalesce(json_time(v_found.valid_from), 'a later date') || '.'
                when 'campaign_paused' then format('The campaign %s is paused.', v_found.campaign_name)
                when 'wrong_store' then format('This coupon is not valid in %s.', v_user.redeem_store_name)
              end);
            if v_refusal = 'already_redeemed' then
              -- when, where and by whom: the redemptions that stand, newest first
              v_problem := v_problem || jsonb_build_object('earlierRedemptions', (
                select coalesce(jsonb_agg(jsonb_build_object(
                         'redemptionId', e.id, 'redeemedAt', json_time(e.created_at),
                         'storeId', e.store_id, 'storeName', s.name,
                         'userId', e.user_id, 'userName', u.name) order by e.created_at desc), '[]')
                  from (select t.id, t.created_at, t.store_id, t.user_id
                          from transactions t
                         where t.coupon_id = v_found.id and t.kind = 'redemption'
                           and not exists (select 1 from transactions r where r.reverses_id = t.id)
                         order by t.created_at desc
                         limit 20) e
                  join stores s on s.id = e.store_id
                  join users u on u.id = e.user_id));
            elsif v_refusal = 'wrong_store' then
              -- where the coupon can be used instead
              v_problem := v_problem || jsonb_build_object('validStoreNames', (
                select coalesce(jsonb_agg(s.name order by s.name), '[]')
                  from campaign_stores cs join stores s on s.id = cs.store_id
                 where cs.campaign_id = v_found.campaign_id));
            end if;
          else
            -- the ledger row; its triggers count the redemption on the coupon (and write an
            -- outbox row while a webhook subscribes)
            insert into transactions (kind, coupon_id, store_id, user_id, scan_id, created_at)
            values ('redemption', v_found.id, p_store_id, p_user_id, v_scan_id, v_scan_at)
            returning id into ledger_id;
            status := 201;
            v_undoable_until := json_time(v_scan_at + make_interval(mins => p_undo_minutes));
            v_answer := json_build_object(
              'outcome', 'redeemed',
              'redemption', json_build_object(
                'id', ledger_id, 'kind', 'redemption', 'couponId', v_found.id,
                'code', v_found.code, 'displayCode', p_display_code,
                'campaignId', v_found.campaign_id, 'campaignName', v_found.campaign_name,
                'storeId', p_store_id, 'storeName', v_user.redeem_store_name,
                'userId', p_user_id, 'userName', v_user.name,
                'createdAt', json_time(v_scan_at),
                'reversesId', null, 'reversedById', null, 'reason', null,
                'undoableUntil', v_undoable_until),
              'discount', json_build_object(
                'type', v_found.discount_type,
                'value', v_found.discount_value::float8,
                'currency', v_found.discount_currency,
                'description', v_found.discount_description),
              'redemptionsLeft', v_found.max_redemptions - v_found.redemption_count - 1,
              'undoableUntil', v_undoable_until);
          end if;
        end if;
      end if;

      if v_answer is null then
        v_answer := v_problem::json;
      end if;
      -- the answer is stored as it is sent: a retry replays these very bytes
      update idempotency_keys k set response_status = status, response_json = v_answer
       where k.user_id = p_user_id and k.key = p_key;
      body := v_answer::text;
    end
    $fn$
  `.execute(db);
}
