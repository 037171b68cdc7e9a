select "id", "role", "store_id" from "users" where "id" = $1 for update
