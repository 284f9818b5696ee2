-- What a question or a response cites, as one array each, in id order: read in the
-- statement that loads the question or response (one round trip, where a query per
-- junction table took three), and, being functions rather than SQL text, the statement
-- is prepared once per connection and reused.
CREATE FUNCTION question_recommendation_ids(question uuid) RETURNS uuid[]
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT ARRAY(SELECT recommendation_id FROM question_recommendations
                  WHERE question_id = question ORDER BY recommendation_id)
$$;

CREATE FUNCTION response_recommendation_ids(response uuid) RETURNS uuid[]
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT ARRAY(SELECT recommendation_id FROM response_recommendations
                  WHERE response_id = response ORDER BY recommendation_id)
$$;

CREATE FUNCTION response_action_ids(response uuid) RETURNS uuid[]
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT ARRAY(SELECT action_id FROM response_actions
                  WHERE response_id = response ORDER BY action_id)
$$;
