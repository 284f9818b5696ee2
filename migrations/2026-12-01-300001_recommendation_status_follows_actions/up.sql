-- A recommendation's status follows its actions (open, in_progress, actions_complete)
-- until someone records a decision (implemented, closed, superseded). Every action
-- write keeps the stored status right; this brings the rows written before up to date,
-- with the same rules as the service (src/domain/derived_status.rs): cancelled actions
-- are not counted; all the rest completed is actions_complete; any of them past
-- planned or above 0 % is in_progress; otherwise open. A derived status has no reason.
ALTER TABLE recommendations DROP CONSTRAINT recommendations_status_check;
ALTER TABLE recommendations ADD CONSTRAINT recommendations_status_check
    CHECK (status IN ('open', 'in_progress', 'actions_complete', 'implemented', 'closed', 'superseded'));

WITH derived AS (
    SELECT r.id,
           CASE
               WHEN count(a.id) FILTER (WHERE a.status <> 'cancelled') > 0
                    AND count(a.id) FILTER (WHERE a.status <> 'cancelled')
                        = count(a.id) FILTER (WHERE a.status = 'completed')
                   THEN 'actions_complete'
               WHEN coalesce(bool_or(a.status <> 'cancelled' AND (a.status <> 'planned' OR a.progress_percent > 0)), false)
                   THEN 'in_progress'
               ELSE 'open'
           END AS status
    FROM recommendations r
    LEFT JOIN action_recommendations ar ON ar.recommendation_id = r.id
    LEFT JOIN actions a ON a.id = ar.action_id
    WHERE r.status IN ('open', 'in_progress')
    GROUP BY r.id
)
UPDATE recommendations r
SET status = derived.status,
    status_reason = NULL,
    updated_at = now(),
    version = r.version + 1
FROM derived
WHERE r.id = derived.id
  AND (r.status <> derived.status OR r.status_reason IS NOT NULL);
