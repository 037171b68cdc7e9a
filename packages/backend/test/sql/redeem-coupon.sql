select status, body, replayed, problem, ledger_id from redeem_coupon($1::uuid, $2::text, $3::uuid, $4::text, $5::text, $6::text, $7::text, $8::text, $9::text, $10::int, $11::int)
