select "id" from "users" where "role" = $1 and "disabled_at" is null and "id" <> $2 order by "id" for update
