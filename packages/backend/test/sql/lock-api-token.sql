select "revoked_at" from "api_tokens" where "id" = $1 for update
