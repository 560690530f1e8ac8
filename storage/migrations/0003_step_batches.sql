-- 0003: a run's steps are stored in batches, one row per run per commit.
--
-- The recorder used to write one steps row per executed node. With the
-- pure-Go SQLite driver every row costs a statement (bind, B-tree descent,
-- an index entry) and its bytes, and that per-row cost was most of what
-- recording a call step took: more CPU than the engine spent on the step.
-- Now each commit writes, for every run it touches, one row holding that
-- run's new steps as a JSON array of step objects in seq order (keys as in
-- storage's storedStep: seq, node, kind, title, status, port, httpStatus,
-- returnValue, decision, attempts, startedAt in Unix nanoseconds,
-- durationMs, error, exchanges; empty ones left out).
CREATE TABLE step_batches (
	run_id    TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
	first_seq INTEGER NOT NULL,
	last_seq  INTEGER NOT NULL,
	steps     TEXT NOT NULL,
	PRIMARY KEY (run_id, first_seq)
);

-- Every stored step becomes a batch of one.
INSERT INTO step_batches(run_id, first_seq, last_seq, steps)
SELECT run_id, seq, seq, json_array(json_object(
	'seq', seq, 'node', node, 'kind', kind, 'title', title, 'status', status,
	'port', port, 'httpStatus', http_status, 'returnValue', json(return_value),
	'decision', decision, 'attempts', attempts, 'startedAt', started_at,
	'durationMs', duration_ms, 'error', error, 'exchanges', json(exchanges)))
FROM steps;

DROP TABLE steps;

-- steps is a view with the columns the table had, one row per step, for
-- anyone reading the file with SQL; a missing or null value reads as NULL,
-- as it was stored before.
CREATE VIEW steps AS
SELECT b.run_id                              AS run_id,
	s.value ->> '$.seq'                      AS seq,
	s.value ->> '$.node'                     AS node,
	coalesce(s.value ->> '$.kind', '')       AS kind,
	coalesce(s.value ->> '$.title', '')      AS title,
	s.value ->> '$.status'                   AS status,
	coalesce(s.value ->> '$.port', '')       AS port,
	coalesce(s.value ->> '$.httpStatus', 0)  AS http_status,
	nullif(s.value -> '$.returnValue', 'null') AS return_value,
	coalesce(s.value ->> '$.decision', '')   AS decision,
	coalesce(s.value ->> '$.attempts', 0)    AS attempts,
	coalesce(s.value ->> '$.startedAt', 0)   AS started_at,
	coalesce(s.value ->> '$.durationMs', 0)  AS duration_ms,
	coalesce(s.value ->> '$.error', '')      AS error,
	nullif(s.value -> '$.exchanges', 'null') AS exchanges
FROM step_batches b, json_each(b.steps) s;
