ALTER TABLE meetings
    DROP COLUMN moderngov_meeting_id,
    DROP COLUMN moderngov_url,
    DROP COLUMN cancelled;
