select "id", "role", "store_id" from "users" where "id" = $1 and not exists (select "id" from "api_tokens" where "api_tokens"."user_id" = "users"."id") for update
