-- 0005: webhook ids already answered, so a delivery repeated with the same
-- Standard Webhooks webhook-id starts no second run, also after a restart.
-- A row is kept until expires_at (Unix nanoseconds): the end of the window
-- in which the signed request would still be accepted.
CREATE TABLE IF NOT EXISTS webhook_ids (
	path       TEXT NOT NULL,
	webhook_id TEXT NOT NULL,
	run_id     TEXT NOT NULL,
	status     TEXT NOT NULL DEFAULT '',
	expires_at INTEGER NOT NULL,
	PRIMARY KEY (path, webhook_id)
);
CREATE INDEX IF NOT EXISTS webhook_ids_expiry ON webhook_ids(expires_at);
