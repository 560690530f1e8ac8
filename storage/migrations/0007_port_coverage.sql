-- 0007: branch coverage. port_coverage holds, for each flow version, how
-- many times a recorded step took each (node, port) and when it first and
-- last did (step start times in Unix nanoseconds; the run's start where a
-- step has none), so the canvas's coverage overlay reads a few rows instead
-- of every step of every run.
--
-- Only runs with a flow id count, and not the one-step runs of a node's Test
-- (trigger "test"). The recorder adds each commit's steps in the same
-- transaction as the steps; deleting runs recounts the flow versions they
-- belonged to, so the table always equals what the recorded steps say.
CREATE TABLE port_coverage (
	flow_id      TEXT NOT NULL,
	flow_version INTEGER NOT NULL,
	node         TEXT NOT NULL,
	port         TEXT NOT NULL,
	taken        INTEGER NOT NULL,
	first_at     INTEGER NOT NULL,
	last_at      INTEGER NOT NULL,
	PRIMARY KEY (flow_id, flow_version, node, port)
) WITHOUT ROWID;

-- The runs recorded before this version.
INSERT INTO port_coverage(flow_id, flow_version, node, port, taken, first_at, last_at)
SELECT r.flow_id, r.flow_version, s.value ->> '$.node', s.value ->> '$.port', count(*),
	min(coalesce(nullif(s.value ->> '$.startedAt', 0), r.started_at)),
	max(coalesce(nullif(s.value ->> '$.startedAt', 0), r.started_at))
FROM runs r JOIN step_batches b ON b.run_id = r.id, json_each(b.steps) s
WHERE r.flow_id <> '' AND r.trigger_info <> 'test' AND coalesce(s.value ->> '$.port', '') <> ''
GROUP BY 1, 2, 3, 4;
