-- A question's published responses, each with what it cites and the follow-up that
-- keeps its promise, as one JSON array in id order (each element the response's row as
-- `to_jsonb` gives it, plus `recommendation_ids`, `action_ids` and `followed_up_by`):
-- read in the statement that loads the question, so that GET /questions/{id} is one
-- round trip to the database. PL/pgSQL, so its plan is kept for the session.
CREATE FUNCTION question_published_responses(question uuid) RETURNS jsonb
    LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN coalesce(
        (SELECT jsonb_agg(to_jsonb(r) || jsonb_build_object(
                    'recommendation_ids', to_jsonb(response_recommendation_ids(r.id)),
                    'action_ids', to_jsonb(response_action_ids(r.id)),
                    'followed_up_by', response_followed_up_by(r.id))
                ORDER BY r.id)
           FROM responses r
          WHERE r.question_id = question AND r.status = 'published'),
        '[]'::jsonb);
END
$$;
