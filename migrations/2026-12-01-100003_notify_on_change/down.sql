DROP TRIGGER webhook_deliveries_notify ON webhook_deliveries;
DROP TRIGGER events_notify ON events;
DROP FUNCTION scrutiny_notify();
