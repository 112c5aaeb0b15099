-- The demo's reporting history is dated in the past. Its 2025 reports were just taken through
-- the store's API, so every step carries today's date; here each step is dated on the day it
-- would have happened, in the order it happened. The audit trail records these updates as the
-- owner's changes, which they are.
CREATE TEMP TABLE demo_history (operator text PRIMARY KEY, steps timestamptz[] NOT NULL, saved timestamptz NOT NULL) ON COMMIT DROP;
-- steps: one date per event of the report, in order; saved: when its answers were last saved.
INSERT INTO demo_history VALUES
 -- create, submit, recommend, validate
 ('École de devoirs Les Colibris (fictif)', ARRAY['2026-02-02 09:30+01', '2026-03-02 16:10+01', '2026-03-09 11:00+01', '2026-03-20 14:45+01']::timestamptz[], '2026-03-02 15:40+01'),
 -- create
 ('École de devoirs Le Baobab (fictif)', ARRAY['2026-03-10 10:15+01']::timestamptz[], '2026-03-24 17:20+01'),
 -- create, submit
 ('Soutien scolaire Helmet (fictif)', ARRAY['2026-02-16 13:00+01', '2026-03-27 18:05+01']::timestamptz[], '2026-03-27 17:50+01'),
 -- create, submit, return
 ('Devoirs et Découvertes (fictif)', ARRAY['2026-02-05 09:00+01', '2026-03-05 12:30+01', '2026-03-16 10:20+01']::timestamptz[], '2026-03-05 12:10+01'),
 -- create, submit, return, submit
 ('Le Cartable de Saint-Josse (fictif)', ARRAY['2026-01-26 14:00+01', '2026-02-23 11:45+01', '2026-03-02 09:40+01', '2026-03-12 15:30+01']::timestamptz[], '2026-03-12 15:15+01'),
 -- create, submit, recommend, validate, reopen
 ('Rue des Devoirs (fictif)', ARRAY['2026-01-19 10:00+01', '2026-02-10 16:00+01', '2026-02-17 09:30+01', '2026-02-27 11:10+01', '2026-03-18 14:00+01']::timestamptz[], '2026-02-10 15:35+01'),
 -- create, submit (late: after 31 March 2026), recommend, validate
 ('Les Petits Savants (fictif)', ARRAY['2026-03-25 09:45+01', '2026-04-20 16:30+02', '2026-04-27 10:00+02', '2026-05-11 14:20+02']::timestamptz[], '2026-04-20 16:05+02');

CREATE TEMP TABLE demo_report ON COMMIT DROP AS
 SELECT s.id, h.steps, h.saved FROM submission s
 JOIN campaign c ON c.id = s.campaign_id AND c.code = 'cohesion-axis1-2025'
 JOIN operator o ON o.id = s.operator_id JOIN demo_history h ON h.operator = o.name;
DO $$ BEGIN
  IF (SELECT count(*) FROM demo_report) <> (SELECT count(*) FROM demo_history)
    OR (SELECT count(*) FROM demo_report) <> (SELECT count(*) FROM submission s JOIN campaign c ON c.id = s.campaign_id WHERE c.code = 'cohesion-axis1-2025')
    OR EXISTS (SELECT FROM demo_report r WHERE cardinality(r.steps) <> (SELECT count(*) FROM submission_event e WHERE e.submission_id = r.id))
  THEN RAISE EXCEPTION 'the dated history of the demo reports does not match their events';
  END IF;
END $$;

UPDATE submission_event e SET at = n.steps[n.n]
 FROM (SELECT e.id, r.steps, row_number() OVER (PARTITION BY e.submission_id ORDER BY e.id) AS n
       FROM submission_event e JOIN demo_report r ON r.id = e.submission_id) AS n
 WHERE e.id = n.id;
UPDATE submission_comment c SET at = e.at FROM submission_event e WHERE e.id = c.event_id AND c.submission_id IN (SELECT id FROM demo_report);
UPDATE submission_answer a SET updated_at = r.saved FROM demo_report r WHERE r.id = a.submission_id;
UPDATE submission s SET
  created_at = (SELECT min(e.at) FROM submission_event e WHERE e.submission_id = s.id),
  first_submitted_at = (SELECT min(e.at) FROM submission_event e WHERE e.submission_id = s.id AND e.action = 'submit'),
  submitted_at = (SELECT max(e.at) FROM submission_event e WHERE e.submission_id = s.id AND e.action = 'submit'),
  validated_at = CASE WHEN s.validated_at IS NOT NULL THEN (SELECT max(e.at) FROM submission_event e WHERE e.submission_id = s.id AND e.action = 'validate') END,
  updated_at = greatest(r.saved, (SELECT max(e.at) FROM submission_event e WHERE e.submission_id = s.id))
 FROM demo_report r WHERE r.id = s.id;

-- The templates and campaigns were made ahead of the periods they open.
UPDATE report_template SET created_at = CASE version WHEN 1 THEN timestamptz '2025-11-17 10:00+01' ELSE timestamptz '2026-11-16 10:00+01' END
 WHERE code = 'cohesion-axis1-activity-report';
UPDATE campaign SET created_at = CASE code WHEN 'cohesion-axis1-2025' THEN timestamptz '2025-12-01 10:00+01' ELSE timestamptz '2026-12-01 10:00+01' END
 WHERE code IN ('cohesion-axis1-2025', 'cohesion-axis1-2026');
