
    with taken as (
      select id, type from webhook_events
       where dispatched_at is null
       order by created_at, id
       limit $1
       for update skip locked
    ), marked as (
      update webhook_events set dispatched_at = clock_timestamp()
       where id in (select id from taken)
    )
    insert into webhook_deliveries (endpoint_id, event_id)
    select e.id, t.id
      from taken t
      join webhook_endpoints e on e.enabled and t.type = any (e.events)
    returning id
  
