DELETE FROM questions WHERE status = 'referred';
ALTER TABLE questions
    DROP CONSTRAINT questions_referral_all_or_nothing,
    DROP CONSTRAINT questions_referral_only_when_referred,
    DROP COLUMN referred_at,
    DROP COLUMN referral_reason,
    DROP COLUMN referral_reason_code,
    DROP COLUMN referred_to_organisation_id,
    DROP CONSTRAINT questions_status_check;
ALTER TABLE questions
    ADD CONSTRAINT questions_status_check
        CHECK (status IN ('submitted', 'accepted', 'answered', 'rejected', 'withdrawn'));
-- Search as it was before referred questions.
CREATE OR REPLACE FUNCTION search_hits(
    search_text text, kinds text[], sees_unpublished boolean,
    after_rank real, after_kind text, after_id uuid,
    page_size bigint, recent bigint, candidates bigint)
RETURNS TABLE (kind text, id uuid, title text, rank real, snippet text)
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan
AS $function$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH query AS MATERIALIZED (SELECT websearch_to_tsquery('english', search_text) AS tsq),
    action_candidates AS (
        SELECT * FROM (
            (SELECT a.id, a.title, a.description AS doc, a.search
             FROM (SELECT * FROM actions ORDER BY id DESC LIMIT recent) a, query
             WHERE 'action' = ANY(kinds) AND a.search @@ query.tsq)
          UNION ALL
            (SELECT a.id, a.title, a.description, a.search
             FROM actions a
             WHERE 'action' = ANY(kinds) AND a.search @@ websearch_to_tsquery('english', search_text)
               AND a.id < (SELECT id FROM actions ORDER BY id DESC OFFSET recent - 1 LIMIT 1)
             ORDER BY a.id::text COLLATE "C" DESC LIMIT candidates)
        ) c LIMIT candidates
    ),
    question_candidates AS (
        SELECT * FROM (
            (SELECT q.id, q.title, q.body AS doc, q.search
             FROM (SELECT * FROM questions ORDER BY id DESC LIMIT recent) q, query
             WHERE 'question' = ANY(kinds) AND q.search @@ query.tsq
               AND (sees_unpublished OR q.status IN ('accepted', 'answered')))
          UNION ALL
            (SELECT q.id, q.title, q.body, q.search
             FROM questions q
             WHERE 'question' = ANY(kinds) AND q.search @@ websearch_to_tsquery('english', search_text)
               AND (sees_unpublished OR q.status IN ('accepted', 'answered'))
               AND q.id < (SELECT id FROM questions ORDER BY id DESC OFFSET recent - 1 LIMIT 1)
             ORDER BY q.id::text COLLATE "C" DESC LIMIT candidates)
        ) c LIMIT candidates
    ),
    recommendation_candidates AS (
        SELECT * FROM (
            (SELECT r.id, r.reference AS title, r.text AS doc, r.search
             FROM (SELECT * FROM recommendations ORDER BY id DESC LIMIT recent) r, query
             WHERE 'recommendation' = ANY(kinds) AND r.search @@ query.tsq)
          UNION ALL
            (SELECT r.id, r.reference, r.text, r.search
             FROM recommendations r
             WHERE 'recommendation' = ANY(kinds) AND r.search @@ websearch_to_tsquery('english', search_text)
               AND r.id < (SELECT id FROM recommendations ORDER BY id DESC OFFSET recent - 1 LIMIT 1)
             ORDER BY r.id::text COLLATE "C" DESC LIMIT candidates)
        ) c LIMIT candidates
    ),
    response_candidates AS (
        SELECT * FROM (
            (SELECT s.id, 'Response to ' || q.reference || ': ' || q.title AS title, s.body AS doc, s.search
             FROM (SELECT * FROM responses ORDER BY id DESC LIMIT recent) s JOIN questions q ON q.id = s.question_id, query
             WHERE 'response' = ANY(kinds) AND s.search @@ query.tsq
               AND (sees_unpublished OR (s.status = 'published' AND q.status IN ('accepted', 'answered'))))
          UNION ALL
            (SELECT s.id, 'Response to ' || q.reference || ': ' || q.title, s.body, s.search
             FROM responses s JOIN questions q ON q.id = s.question_id
             WHERE 'response' = ANY(kinds) AND s.search @@ websearch_to_tsquery('english', search_text)
               AND (sees_unpublished OR (s.status = 'published' AND q.status IN ('accepted', 'answered')))
               AND s.id < (SELECT id FROM responses ORDER BY id DESC OFFSET recent - 1 LIMIT 1)
             ORDER BY s.id::text COLLATE "C" DESC LIMIT candidates)
        ) c LIMIT candidates
    ),
    hits AS (
        SELECT 'action'::text AS kind, c.id, c.title, ts_rank_cd(c.search, query.tsq, 32) AS rank, c.doc
        FROM action_candidates c, query
      UNION ALL
        SELECT 'question', c.id, c.title, ts_rank_cd(c.search, query.tsq, 32), c.doc
        FROM question_candidates c, query
      UNION ALL
        SELECT 'recommendation', c.id, c.title, ts_rank_cd(c.search, query.tsq, 32), c.doc
        FROM recommendation_candidates c, query
      UNION ALL
        SELECT 'response', c.id, c.title, ts_rank_cd(c.search, query.tsq, 32), c.doc
        FROM response_candidates c, query
    )
    SELECT page.kind, page.id, page.title, page.rank,
           ts_headline('english', replace(replace(page.doc, U&'\E000', ''), U&'\E001', ''), query.tsq,
               'StartSel=' || U&'\E000' || ', StopSel=' || U&'\E001' || ', MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "')
               AS snippet
    FROM (
        SELECT * FROM hits
        WHERE after_rank::real IS NULL OR hits.rank < after_rank::real
           OR (hits.rank = after_rank::real AND (hits.kind, hits.id) > (after_kind::text, after_id::uuid))
        ORDER BY hits.rank DESC, hits.kind, hits.id
        LIMIT page_size
    ) page, query
    ORDER BY page.rank DESC, page.kind, page.id;
END
$function$;
