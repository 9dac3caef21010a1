-- Who executes a run: a lease taken before executing it, renewed while it runs and given back after, so a scheduled
-- tick, a sweep or a second instance never executes the same run at the same time. A crashed executor's lease expires.
ALTER TABLE report_runs ADD COLUMN lease_owner VARCHAR(40) NULL;
ALTER TABLE report_runs ADD COLUMN lease_until DATETIME NULL;
