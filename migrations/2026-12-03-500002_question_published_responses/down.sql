DROP FUNCTION question_published_responses(uuid);
