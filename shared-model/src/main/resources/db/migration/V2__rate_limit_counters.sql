-- Fixed-window request counters shared by every api-service replica, so a limit holds across all of them.
-- Rows are only useful during their window; cron-service deletes old ones.
CREATE TABLE rate_limit_counters (
    bucket       text        NOT NULL,
    subject      text        NOT NULL,
    window_start timestamptz NOT NULL,
    hits         integer     NOT NULL,
    PRIMARY KEY (bucket, subject, window_start)
);
CREATE INDEX rate_limit_counters_window_idx ON rate_limit_counters (window_start);
