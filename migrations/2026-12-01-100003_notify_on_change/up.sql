-- Background work wakes on PostgreSQL notifications instead of polling: a new event
-- wakes the change-feed sequencer, and a delivery made due (queued, retried,
-- redelivered) wakes the webhook worker. A notification is sent when the transaction
-- that wrote the row commits, and never for one that rolls back. The sequencer
-- notifies `scrutiny_feed` itself when it gives positions.
CREATE FUNCTION scrutiny_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(TG_ARGV[0], '');
    RETURN NULL;
END
$$;

CREATE TRIGGER events_notify AFTER INSERT ON events
    FOR EACH STATEMENT EXECUTE FUNCTION scrutiny_notify('scrutiny_events');
CREATE TRIGGER webhook_deliveries_notify AFTER INSERT OR UPDATE OF next_attempt_at ON webhook_deliveries
    FOR EACH STATEMENT EXECUTE FUNCTION scrutiny_notify('scrutiny_deliveries');
