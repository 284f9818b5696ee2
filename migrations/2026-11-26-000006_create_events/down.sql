DROP TABLE events;
DROP SEQUENCE event_positions;
