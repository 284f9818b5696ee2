ALTER TABLE meetings DROP COLUMN question_deadline;
ALTER TABLE questions DROP COLUMN addressed_to;
DROP TABLE question_rules;
