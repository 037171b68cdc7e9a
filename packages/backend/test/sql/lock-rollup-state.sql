select id from stats_rollup_state for update skip locked
