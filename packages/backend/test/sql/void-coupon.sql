update "coupons" set "voided_at" = clock_timestamp(), "void_reason" = $1, "voided_by" = $2 where "id" = $3 and "voided_at" is null returning *
