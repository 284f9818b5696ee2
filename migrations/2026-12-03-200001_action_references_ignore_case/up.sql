-- An action's reference is unique within its programme (and among the actions in none)
-- ignoring letter case: "1.1a" and "1.1A" are one reference to the people who read a
-- programme's plan. The constraint on (programme_id, reference) gives way to a unique
-- index on (programme_id, lower(reference)), nulls not distinct, as before.
--
-- References that already clash ignoring case keep the oldest as it is; each later one
-- gets its id's first eight hex digits appended ("1.1A~01937b4e"), so that nothing is
-- lost and the clash can be seen and put right.
UPDATE actions SET reference = actions.reference || '~' || left(actions.id::text, 8)
FROM (
    SELECT id, row_number() OVER (
        PARTITION BY programme_id, lower(reference) ORDER BY created_at, id
    ) AS position
    FROM actions
) ranked
WHERE ranked.id = actions.id AND ranked.position > 1;

ALTER TABLE actions DROP CONSTRAINT actions_programme_id_reference_key;
CREATE UNIQUE INDEX actions_programme_id_lower_reference_key
    ON actions (programme_id, lower(reference)) NULLS NOT DISTINCT;
