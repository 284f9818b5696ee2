DROP TABLE mail_feed;
DROP TABLE mail_outbox;
