-- Connector deliveries that EventBridge events complete, and files dropped in a partner's S3 outbox.
-- connector_state holds the pending transfer or rename as JSON; the two ids find the run from an event.
ALTER TABLE report_runs ADD COLUMN connector_transfer_id VARCHAR(100) NULL;
ALTER TABLE report_runs ADD COLUMN connector_move_id VARCHAR(100) NULL;
ALTER TABLE report_runs ADD COLUMN connector_state VARCHAR(4000) NULL;
ALTER TABLE report_runs ADD COLUMN source_object_key VARCHAR(1100) NULL;
CREATE INDEX ix_report_runs_transfer ON report_runs (connector_transfer_id);
CREATE INDEX ix_report_runs_move ON report_runs (connector_move_id);

ALTER TABLE partners ADD COLUMN delete_outbox_after_delivery INT NULL;
