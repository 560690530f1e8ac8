-- 0001: the first schema. Times are INTEGER nanoseconds since the Unix epoch
-- (0 when unset), so they sort and page by index without parsing.

-- meta holds small facts about the file, such as the master key check value.
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value BLOB NOT NULL
) WITHOUT ROWID;

-- flows holds one row per flow: the latest version's summary.
CREATE TABLE flows (
	id          TEXT PRIMARY KEY,
	name        TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	version     INTEGER NOT NULL,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
);
CREATE INDEX flows_by_name ON flows(name COLLATE NOCASE, id);

-- flow_versions keeps every saved document, so old versions can be restored.
CREATE TABLE flow_versions (
	flow_id  TEXT NOT NULL REFERENCES flows(id) ON DELETE CASCADE,
	version  INTEGER NOT NULL,
	name     TEXT NOT NULL,
	saved_at INTEGER NOT NULL,
	doc      TEXT NOT NULL,
	PRIMARY KEY (flow_id, version)
);

-- flow_connections lists the connections the latest version of a flow calls.
CREATE TABLE flow_connections (
	connection TEXT NOT NULL,
	flow_id    TEXT NOT NULL REFERENCES flows(id) ON DELETE CASCADE,
	PRIMARY KEY (connection, flow_id)
) WITHOUT ROWID;
CREATE INDEX flow_connections_by_flow ON flow_connections(flow_id);

-- connections holds each connection as JSON whose secret fields are only
-- references: values live sealed in secrets.
CREATE TABLE connections (
	name       TEXT PRIMARY KEY,
	doc        TEXT NOT NULL,
	updated_at INTEGER NOT NULL
);

-- secrets holds AES-GCM sealed values, sealed with their name as associated
-- data so a row moved to another name no longer opens.
CREATE TABLE secrets (
	name       TEXT PRIMARY KEY,
	sealed     BLOB NOT NULL,
	updated_at INTEGER NOT NULL
);

-- tokens caches OAuth tokens, sealed like secrets; losing one only costs a
-- new token request.
CREATE TABLE tokens (
	key        TEXT PRIMARY KEY,
	sealed     BLOB NOT NULL,
	updated_at INTEGER NOT NULL
);

-- runs has one row per run; history is paged by (started_at, id).
CREATE TABLE runs (
	id            TEXT PRIMARY KEY,
	flow_id       TEXT NOT NULL DEFAULT '',
	flow_name     TEXT NOT NULL DEFAULT '',
	flow_version  INTEGER NOT NULL DEFAULT 0,
	status        TEXT NOT NULL,
	outcome       TEXT NOT NULL DEFAULT '',
	trigger_info  TEXT NOT NULL DEFAULT '',
	input         BLOB,
	env           TEXT NOT NULL DEFAULT '',
	started_at    INTEGER NOT NULL,
	finished_at   INTEGER NOT NULL DEFAULT 0,
	duration_ms   INTEGER NOT NULL DEFAULT 0,
	error         TEXT NOT NULL DEFAULT '',
	parent_run_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX runs_by_start ON runs(started_at, id);
CREATE INDEX runs_by_flow ON runs(flow_id, started_at, id);
CREATE INDEX runs_by_status ON runs(status, started_at, id);
CREATE INDEX runs_by_flow_status ON runs(flow_id, status, started_at, id);

-- steps holds each executed node; exchanges (one per HTTP attempt, already
-- redacted) and the return value are JSON.
CREATE TABLE steps (
	run_id       TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
	seq          INTEGER NOT NULL,
	node         TEXT NOT NULL,
	kind         TEXT NOT NULL DEFAULT '',
	title        TEXT NOT NULL DEFAULT '',
	status       TEXT NOT NULL,
	port         TEXT NOT NULL DEFAULT '',
	http_status  INTEGER NOT NULL DEFAULT 0,
	return_value TEXT,
	decision     TEXT NOT NULL DEFAULT '',
	attempts     INTEGER NOT NULL DEFAULT 0,
	started_at   INTEGER NOT NULL DEFAULT 0,
	duration_ms  INTEGER NOT NULL DEFAULT 0,
	error        TEXT NOT NULL DEFAULT '',
	exchanges    TEXT,
	PRIMARY KEY (run_id, seq)
);

-- events logs every raised event, newest read first.
CREATE TABLE events (
	id      INTEGER PRIMARY KEY,
	name    TEXT NOT NULL,
	payload BLOB,
	run_id  TEXT NOT NULL DEFAULT '',
	node    TEXT NOT NULL DEFAULT '',
	at      INTEGER NOT NULL
);
CREATE INDEX events_by_time ON events(at, id);
CREATE INDEX events_by_run ON events(run_id);
