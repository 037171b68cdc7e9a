select * from "campaigns" where "id" = $1 for update
