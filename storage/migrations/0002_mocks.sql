-- 0002: mock endpoints and the requests they received.

-- mocks holds each mock as JSON whose secret fields are only references:
-- values live sealed in secrets under "mock/<name>/<field>".
CREATE TABLE mocks (
	name       TEXT PRIMARY KEY,
	doc        TEXT NOT NULL,
	updated_at INTEGER NOT NULL
);

-- received_requests is the request inspector's history: one row per request
-- a mock or webhook trigger received, credentials already redacted; the
-- columns beside doc are for listing and filtering without parsing it.
CREATE TABLE received_requests (
	id     INTEGER PRIMARY KEY,
	at     INTEGER NOT NULL,
	mock   TEXT NOT NULL DEFAULT '',
	method TEXT NOT NULL DEFAULT '',
	path   TEXT NOT NULL DEFAULT '',
	status INTEGER NOT NULL DEFAULT 0,
	doc    TEXT NOT NULL
);
CREATE INDEX received_requests_by_time ON received_requests(at, id);
CREATE INDEX received_requests_by_mock ON received_requests(mock, at, id);
