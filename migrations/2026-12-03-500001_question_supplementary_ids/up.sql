-- The supplementary questions to a question, in id order (the order they were
-- recorded): read in the statement that loads the question, so that a question's page
-- costs two statements (the question, its published responses) instead of three.
-- `statuses` limits them to those statuses (a public caller passes the public ones);
-- NULL means all.
CREATE FUNCTION question_supplementary_ids(question uuid, statuses text[]) RETURNS uuid[]
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT ARRAY(SELECT id FROM questions
                  WHERE parent_question_id = question
                    AND (statuses IS NULL OR status = ANY (statuses))
                  ORDER BY id)
$$;
