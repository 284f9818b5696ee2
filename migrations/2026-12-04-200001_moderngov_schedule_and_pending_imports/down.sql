DROP TABLE pending_imports;
DROP TABLE moderngov_sync_state;
