DROP FUNCTION response_action_ids(uuid);
DROP FUNCTION response_recommendation_ids(uuid);
DROP FUNCTION question_recommendation_ids(uuid);
