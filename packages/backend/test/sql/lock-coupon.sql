select * from "coupons" where "id" = $1 for update
