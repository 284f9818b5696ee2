-- The benchmark's data, set-based so that a million questions take seconds rather than
-- hours: run by scripts/bench after `scrutiny migrate` and `scrutiny seed-demo`, as
--
--   psql -v ON_ERROR_STOP=1 -v n=1000000 "$url" -f scripts/bench-seed.sql
--
-- `n` questions (half answered with a published response, a quarter accepted, the
-- rest submitted; topics and dates cycle as in the first run so the list figures stay
-- comparable), one recommendation and one action per 10 questions, and one sequenced
-- event per question.
--
-- Titles and bodies are drawn from word pools by a hash of the row number, so that the
-- text is varied enough for search figures to mean something: about 3,000 distinct
-- titles, and a given pair of words such as "safeguarding children" in a few per cent
-- of the rows rather than in every fifth.

SET synchronous_commit = off;

-- A v7-like uuid for bulk rows: time-ordered like the service's own ids.
CREATE OR REPLACE FUNCTION uuid_generate_v7_bench(i bigint) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$
    SELECT (lpad(to_hex(1600000000000 + i), 12, '0') || '7' || substr(md5(i::text), 1, 3) || '8' || substr(md5(i::text), 4, 15))::uuid
$$;

-- Element `h mod len + 1` of `pool`: a pseudo-random pick for hash `h`.
CREATE OR REPLACE FUNCTION bench_pick(pool text[], h bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT pool[1 + h % array_length(pool, 1)]
$$;

CREATE TEMPORARY TABLE bench_words AS SELECT
    -- 37 subjects: the police, fire and crime matters a panel is asked about.
    ARRAY['safeguarding children', 'response times', 'knife crime', 'domestic abuse', 'rural crime',
          'fire safety checks', 'road safety', 'antisocial behaviour', 'burglary', 'drink driving',
          'fraud against older people', 'child exploitation', 'county lines', 'custody conditions',
          'stop and search', 'neighbourhood policing', 'the 101 service', 'cyber crime',
          'hate crime', 'violence against women and girls', 'youth diversion', 'speeding in villages',
          'retained firefighters', 'wildfires on the moorlands', 'police estate closures',
          'officer recruitment', 'victim support', 'modern slavery', 'drug treatment',
          'shoplifting', 'missing people', 'mental health calls', 'body-worn video',
          'the precept', 'emergency call handling', 'prison releases', 'online child abuse']
        AS subjects,
    -- 11 places.
    ARRAY['Stoke-on-Trent', 'Stafford', 'Burton', 'Leek', 'Tamworth', 'Lichfield', 'Cannock',
          'Newcastle-under-Lyme', 'Uttoxeter', 'Stone', 'Rugeley'] AS places,
    -- 8 ways of putting a title (%1$s the subject, %2$s the place).
    ARRAY['What is being done about %1$s in %2$s?', '%1$s in %2$s', 'Progress on %1$s',
          'Funding for %1$s in %2$s', '%1$s: the inspection findings', 'How is %1$s measured?',
          'Complaints about %1$s in %2$s', 'Plans for %1$s next year'] AS framings,
    -- 13 concerns and 9 requests for the body.
    ARRAY['residents have raised concerns about', 'the last inspection criticised', 'parish councils report rising',
          'local schools are worried about', 'figures published last month show worse', 'a petition asks for action on',
          'businesses in the town centre complain of', 'the panel was told in March of delays to',
          'families of victims describe poor communication about', 'officers say they lack training in',
          'the local paper reported a backlog in', 'charities warn of cuts to work on',
          'councillors have asked twice about'] AS concerns,
    ARRAY['who owns the action and when will it be finished', 'how much money has been set aside',
          'what the targets are and how they are measured', 'when the panel will see a progress report',
          'whether the force agrees with the findings', 'how residents will be kept informed',
          'what partners such as the council are doing', 'why earlier promises were not kept',
          'how many officers are assigned to it'] AS requests,
    -- 7 opening phrases and 11 commitments of a response.
    ARRAY['The Commissioner holds the Chief Constable to account for', 'The Commissioner has asked for a plan on',
          'The force has accepted the findings on', 'The Strategic Governance Board reviewed',
          'Funding has been allocated this year to', 'A named chief officer now leads on',
          'The fire authority has agreed a programme for'] AS openings,
    ARRAY['with quarterly reports to the panel', 'with a deadline at the end of the financial year',
          'through the Strategic Governance Board', 'and progress will be published online',
          'jointly with the county council', 'with an independent review in six months',
          'and the inspectorate will revisit', 'with clear ownership and time frames',
          'using the new performance framework', 'alongside victims'' groups', 'with monthly updates'] AS commitments;

INSERT INTO questions (id, reference, status, asker_kind, asker_display_name, title, body, topics, asked_on, published_at, created_at, updated_at)
SELECT uuid_generate_v7_bench(i), 'PQ-' || (2000 + i % 25) || '-B' || i,
       CASE WHEN i % 2 = 0 THEN 'answered' WHEN i % 4 = 1 THEN 'accepted' ELSE 'submitted' END,
       'member_of_public', 'Resident ' || i,
       upper(left(t.title, 1)) || substr(t.title, 2),
       'In ' || bench_pick(w.places, h1 / 37) || ' ' || bench_pick(w.concerns, h2 / 8) || ' '
           || bench_pick(w.subjects, h1) || ', and ' || bench_pick(w.concerns, h2 / 104) || ' '
           || bench_pick(w.subjects, h2 / 1352) || '. Can the Commissioner say '
           || bench_pick(w.requests, h1 / 407) || '? (question ' || i || ')',
       ARRAY[(ARRAY['policing', 'fire', 'child-protection', 'roads', 'fraud'])[1 + i % 5]],
       date '2000-01-01' + (i % 9000),
       CASE WHEN i % 4 <> 3 THEN now() END, now(), now()
FROM generate_series(1, :n) AS i,
     LATERAL (SELECT hashint8(i)::bigint & 2147483647 AS h1, hashint8(-i)::bigint & 2147483647 AS h2) AS h,
     bench_words AS w,
     LATERAL (SELECT format(bench_pick(w.framings, h2), bench_pick(w.subjects, h1), bench_pick(w.places, h1 / 37)) AS title) AS t;

INSERT INTO responses (id, question_id, kind, status, body, author_name, author_position, responded_on, published_at)
SELECT uuid_generate_v7_bench(:n + i), q.id, 'written', 'published',
       bench_pick(w.openings, h) || ' ' || bench_pick(w.subjects, h1) || ' in ' || bench_pick(w.places, h1 / 37)
           || ', ' || bench_pick(w.commitments, h / 7) || '. ' || bench_pick(w.openings, h / 77)
           || ' the wider issue, ' || bench_pick(w.commitments, h / 539) || '.',
       'Ralph Butler', 'Interim Joint Chief Executive', q.asked_on + 9, now()
FROM questions q,
     LATERAL (SELECT split_part(q.reference, '-B', 2)::bigint AS i) AS n,
     -- h1 as for the question, so the response is about the question's subject.
     LATERAL (SELECT hashint8(n.i)::bigint & 2147483647 AS h1, hashint8(n.i * 3)::bigint & 2147483647 AS h) AS h,
     bench_words AS w
WHERE q.status = 'answered' AND q.reference LIKE 'PQ-%-B%';

INSERT INTO organisations (id, name, name_key, kind) VALUES (uuid_generate_v7_bench(0), 'Bench Constabulary', 'bench constabulary', 'force');
INSERT INTO reports (id, title, kind, publisher_organisation_id, subject_organisation_id, published_on)
VALUES (uuid_generate_v7_bench(0), 'Bench inspection', 'inspection', uuid_generate_v7_bench(0), uuid_generate_v7_bench(0), date '2022-01-01');

INSERT INTO recommendations (id, report_id, reference, kind, text, addressed_to_organisation_id)
SELECT uuid_generate_v7_bench(3 * :n + i), uuid_generate_v7_bench(0), 'R' || i, 'area_for_improvement',
       'The force should improve ' || bench_pick(w.subjects, h) || ' in ' || bench_pick(w.places, h / 37)
           || ': ' || bench_pick(w.concerns, h / 407) || ' it.',
       uuid_generate_v7_bench(0)
FROM generate_series(1, :n / 10) AS i,
     LATERAL (SELECT hashint8(i * 5)::bigint & 2147483647 AS h) AS h,
     bench_words AS w;

INSERT INTO actions (id, reference, title, description, owner_organisation_id, owner_post_title, success_measure, starts_on, due_on)
SELECT uuid_generate_v7_bench(4 * :n + i), 'A-B' || i,
       upper(left(bench_pick(w.subjects, h), 1)) || substr(bench_pick(w.subjects, h), 2) || ' plan for ' || bench_pick(w.places, h / 37),
       bench_pick(w.openings, h / 407) || ' ' || bench_pick(w.subjects, h) || ', ' || bench_pick(w.commitments, h / 2849) || '.',
       uuid_generate_v7_bench(0), 'Chief Superintendent', 'Fewer complaints about ' || bench_pick(w.subjects, h / 31339),
       date '2022-01-01' + (i % 1000), date '2022-01-01' + (i % 1000) + 90
FROM generate_series(1, :n / 10) AS i,
     LATERAL (SELECT hashint8(i * 7)::bigint & 2147483647 AS h) AS h,
     bench_words AS w;

INSERT INTO action_recommendations (action_id, recommendation_id)
SELECT uuid_generate_v7_bench(4 * :n + i), uuid_generate_v7_bench(3 * :n + i) FROM generate_series(1, :n / 10) AS i;

INSERT INTO events (id, event_type, resource_type, resource_id, public, snapshot, public_snapshot)
SELECT nextval('event_positions'), 'question.accepted', 'question', q.id, true,
       jsonb_build_object('id', q.id, 'reference', q.reference, 'status', q.status, 'title', q.title, 'body', q.body, 'topics', q.topics, 'asked_on', q.asked_on, 'version', q.version),
       jsonb_build_object('id', q.id, 'reference', q.reference, 'status', q.status, 'title', q.title, 'body', q.body, 'topics', q.topics, 'asked_on', q.asked_on, 'version', q.version)
FROM questions q;

ANALYZE;
