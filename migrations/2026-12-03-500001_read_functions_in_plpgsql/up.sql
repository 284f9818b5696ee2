-- The functions that read what a question or a response links to, called in the
-- statements that load them (one round trip where a query per junction table took
-- several).
--
-- They are PL/pgSQL, not SQL: PostgreSQL plans a SQL function's body again on every
-- execution of the statement that calls it (its plan lives only as long as that
-- execution), while a PL/pgSQL function's plans are kept for the session. The service's
-- statements are prepared and executed thousands of times on each pooled connection,
-- so this took a question's statement from 0.24 ms to 0.17 ms (pgbench -M prepared, one
-- client, 10,000 questions); the bodies are unchanged.
CREATE OR REPLACE FUNCTION question_recommendation_ids(question uuid) RETURNS uuid[]
    LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN ARRAY(SELECT recommendation_id FROM question_recommendations
                  WHERE question_id = question ORDER BY recommendation_id);
END
$$;

CREATE OR REPLACE FUNCTION response_recommendation_ids(response uuid) RETURNS uuid[]
    LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN ARRAY(SELECT recommendation_id FROM response_recommendations
                  WHERE response_id = response ORDER BY recommendation_id);
END
$$;

CREATE OR REPLACE FUNCTION response_action_ids(response uuid) RETURNS uuid[]
    LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN ARRAY(SELECT action_id FROM response_actions
                  WHERE response_id = response ORDER BY action_id);
END
$$;

-- The published written response that keeps the promise of verbal response `response`
-- (the first, by id), if any.
CREATE OR REPLACE FUNCTION response_followed_up_by(response uuid) RETURNS uuid
    LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT f.id FROM responses f
             WHERE f.follows_up_response_id = response AND f.kind = 'written' AND f.status = 'published'
             ORDER BY f.id
             LIMIT 1);
END
$$;

-- The supplementary questions to a question, in id order (the order they were
-- recorded), read in the statement that loads the question, so that a question's page
-- costs two statements (the question, its published responses) instead of three.
-- `statuses` limits them to those statuses (a public caller passes the public ones);
-- NULL means all.
CREATE FUNCTION question_supplementary_ids(question uuid, statuses text[]) RETURNS uuid[]
    LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN ARRAY(SELECT id FROM questions
                  WHERE parent_question_id = question
                    AND (statuses IS NULL OR status = ANY (statuses))
                  ORDER BY id);
END
$$;
