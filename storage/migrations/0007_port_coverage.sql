-- 0007: branch coverage. port_coverage holds, for each flow version, which
-- ports of which nodes its recorded runs took: ports is a JSON array of
-- [node, port, taken, first, last], one per (node, port) taken, where taken
-- is how many steps left the node by the port and first and last are when
-- the first and the last of them started (Unix nanoseconds; the run's start
-- where a step has none). The canvas's coverage overlay reads one row
-- instead of every step of every run.
--
-- One row per flow version, not per port: the recorder merges a commit's
-- ports into the row it holds in memory and writes the row with one
-- statement, in the same transaction as the steps; an upsert per port, or a
-- merge in SQL, cost more than writing the steps (docs/benchmarks.md).
-- rev is a random number each write of the row changes: the recorder's
-- write applies only while the row is the one it holds (else it reads the
-- row again), so several processes and run deletions share the table.
-- Only runs with a flow id count, and not the one-step runs of a node's Test
-- (trigger "test"). Deleting runs recounts the flow versions they belonged
-- to, so the table always equals what the recorded steps say.
CREATE TABLE port_coverage (
	flow_id      TEXT NOT NULL,
	flow_version INTEGER NOT NULL,
	ports        TEXT NOT NULL,
	rev          INTEGER NOT NULL,
	PRIMARY KEY (flow_id, flow_version)
);

-- The runs recorded before this version.
INSERT INTO port_coverage(flow_id, flow_version, ports, rev)
SELECT flow_id, flow_version, json_group_array(json_array(node, port, taken, first_at, last_at)), random()
FROM (
	SELECT r.flow_id, r.flow_version, s.value ->> '$.node' AS node, s.value ->> '$.port' AS port, count(*) AS taken,
		min(coalesce(nullif(s.value ->> '$.startedAt', 0), r.started_at)) AS first_at,
		max(coalesce(nullif(s.value ->> '$.startedAt', 0), r.started_at)) AS last_at
	FROM runs r JOIN step_batches b ON b.run_id = r.id, json_each(b.steps) s
	WHERE r.flow_id <> '' AND r.trigger_info <> 'test' AND coalesce(s.value ->> '$.port', '') <> ''
	GROUP BY 1, 2, 3, 4
)
GROUP BY flow_id, flow_version;
