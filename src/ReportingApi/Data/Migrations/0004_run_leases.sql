-- Who executes a run: a lease taken before executing it and given back after, so a scheduled tick, a sweep or a
-- second instance never executes the same run twice at once. A lease left by a crashed process expires.
ALTER TABLE report_runs ADD COLUMN lease_until DATETIME NULL;
