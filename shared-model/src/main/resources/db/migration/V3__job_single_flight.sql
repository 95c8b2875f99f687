-- A job runs once at a time across every cron-service replica: the run record itself is the lock. Its deadline
-- lets the next trigger take over from a replica that died mid-run.
CREATE UNIQUE INDEX job_runs_one_running_per_job ON job_runs (job) WHERE status = 'running';
ALTER TABLE job_runs ADD COLUMN deadline_at timestamptz;
-- What a run found, beyond a row count (the database health snapshot, the day a rollup covered).
ALTER TABLE job_runs ADD COLUMN details jsonb;
ALTER TABLE job_runs DROP CONSTRAINT job_runs_trigger_check;
ALTER TABLE job_runs ADD CONSTRAINT job_runs_trigger_check CHECK (trigger IN ('oidc', 'secret', 'schedule', 'once'));

-- Database health over time, so each snapshot can say how much the database grew since the last one.
CREATE TABLE database_health_snapshots (
    taken_at                timestamptz PRIMARY KEY DEFAULT now(),
    database_bytes          bigint           NOT NULL,
    connections             integer          NOT NULL,
    max_connections         integer          NOT NULL,
    replication_lag_seconds double precision
);
