DROP FUNCTION question_supplementary_ids(uuid, text[]);

CREATE OR REPLACE FUNCTION response_followed_up_by(response uuid) RETURNS uuid
LANGUAGE sql STABLE
AS $$
    SELECT f.id FROM responses f
    WHERE f.follows_up_response_id = response AND f.kind = 'written' AND f.status = 'published'
    ORDER BY f.id
    LIMIT 1
$$;

CREATE OR REPLACE FUNCTION question_recommendation_ids(question uuid) RETURNS uuid[]
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT ARRAY(SELECT recommendation_id FROM question_recommendations
                  WHERE question_id = question ORDER BY recommendation_id)
$$;

CREATE OR REPLACE FUNCTION response_recommendation_ids(response uuid) RETURNS uuid[]
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT ARRAY(SELECT recommendation_id FROM response_recommendations
                  WHERE response_id = response ORDER BY recommendation_id)
$$;

CREATE OR REPLACE FUNCTION response_action_ids(response uuid) RETURNS uuid[]
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT ARRAY(SELECT action_id FROM response_actions
                  WHERE response_id = response ORDER BY action_id)
$$;
