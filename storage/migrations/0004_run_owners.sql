-- 0004: runs know the process recording them, so runs left "running" by a
-- process that died are found and marked "interrupted".
--
-- Every recorder writes one run_owners row (a random id, its process id and
-- host name, when it started, and a heartbeat it refreshes every few
-- seconds) and deletes it when it closes. Each commit stamps the runs it
-- touches with the owner id and recorded_at, the time of their last record.
-- Opening the database marks running runs whose owner is gone (no row, a
-- process on this host that no longer exists, or a stale heartbeat) as
-- interrupted, finished at recorded_at.
CREATE TABLE run_owners (
	id           TEXT PRIMARY KEY,
	pid          INTEGER NOT NULL,
	host         TEXT NOT NULL,
	started_at   INTEGER NOT NULL,
	heartbeat_at INTEGER NOT NULL
);

ALTER TABLE runs ADD COLUMN owner_id TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN recorded_at INTEGER NOT NULL DEFAULT 0;

-- Versions before this one never finished a run whose process died: the
-- running runs they left are interrupted.
UPDATE runs SET status = 'interrupted', finished_at = started_at,
	error = 'the process recording this run ended before the run did'
WHERE status = 'running';
