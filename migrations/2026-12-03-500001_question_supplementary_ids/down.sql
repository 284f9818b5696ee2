DROP FUNCTION question_supplementary_ids(uuid, text[]);
