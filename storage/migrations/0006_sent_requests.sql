-- 0006: the request workspace's history: one row per request sent from the
-- workspace (or `flowbench send --db`), credentials already redacted as in
-- run records. These are not runs: the runs table never holds them. The
-- columns beside doc are for listing and searching without parsing it; doc
-- is the storage.SentRequest as JSON (its attempts hold the headers and the
-- bodies, capped as run records are). The history keeps the newest rows
-- (storage.SentRequestsKept), pruning older ones as new ones arrive.
CREATE TABLE IF NOT EXISTS sent_requests (
	id          INTEGER PRIMARY KEY,
	at          INTEGER NOT NULL,
	source      TEXT NOT NULL DEFAULT '',
	connection  TEXT NOT NULL DEFAULT '',
	method      TEXT NOT NULL DEFAULT '',
	url         TEXT NOT NULL DEFAULT '',
	status      INTEGER NOT NULL DEFAULT 0,
	duration_ms INTEGER NOT NULL DEFAULT 0,
	error       TEXT NOT NULL DEFAULT '',
	doc         TEXT NOT NULL
);
