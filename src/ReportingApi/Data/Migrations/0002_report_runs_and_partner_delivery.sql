-- Report runs (the audit trail of every delivery) and each partner's delivery settings.
CREATE TABLE report_runs (
  id VARCHAR(40) NOT NULL PRIMARY KEY,
  partner_id INT NOT NULL REFERENCES partners (id),
  client_id VARCHAR(128) NOT NULL,
  source_ip VARCHAR(64) NULL,
  idempotency_key VARCHAR(200) NULL,
  request_hash CHAR(64) NOT NULL,
  report VARCHAR(40) NOT NULL,
  format VARCHAR(10) NOT NULL,
  period_from DATE NOT NULL,
  period_to DATE NOT NULL,
  filters VARCHAR(1000) NOT NULL,
  armored INT NOT NULL,
  status VARCHAR(20) NOT NULL,
  attempts INT NOT NULL,
  next_attempt_at DATETIME NULL,
  failure_reason VARCHAR(2000) NULL,
  row_count BIGINT NULL,
  byte_count BIGINT NULL,
  sha256 CHAR(64) NULL,
  object_key VARCHAR(500) NULL,
  file_name VARCHAR(300) NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL,
  rendering_at DATETIME NULL,
  stored_at DATETIME NULL,
  sending_at DATETIME NULL,
  delivered_at DATETIME NULL,
  failed_at DATETIME NULL,
  UNIQUE (partner_id, idempotency_key)
);
CREATE INDEX ix_report_runs_partner_created ON report_runs (partner_id, created_at);
CREATE INDEX ix_report_runs_status ON report_runs (status, next_attempt_at);

CREATE TABLE report_run_events (
  run_id VARCHAR(40) NOT NULL REFERENCES report_runs (id),
  seq INT NOT NULL,
  status VARCHAR(20) NOT NULL,
  detail VARCHAR(2000) NULL,
  at DATETIME NOT NULL,
  PRIMARY KEY (run_id, seq)
);

ALTER TABLE partners ADD COLUMN pgp_public_key TEXT NULL;
ALTER TABLE partners ADD COLUMN pgp_fingerprint VARCHAR(64) NULL;
ALTER TABLE partners ADD COLUMN delivery_kind VARCHAR(20) NULL;
ALTER TABLE partners ADD COLUMN remote_directory VARCHAR(500) NULL;
ALTER TABLE partners ADD COLUMN folder_path VARCHAR(500) NULL;
ALTER TABLE partners ADD COLUMN sftp_host VARCHAR(255) NULL;
ALTER TABLE partners ADD COLUMN sftp_port INT NULL;
ALTER TABLE partners ADD COLUMN sftp_user VARCHAR(100) NULL;
ALTER TABLE partners ADD COLUMN sftp_host_key VARCHAR(2000) NULL;
ALTER TABLE partners ADD COLUMN sftp_private_key_path VARCHAR(500) NULL;
ALTER TABLE partners ADD COLUMN connector_id VARCHAR(100) NULL;
ALTER TABLE partners ADD COLUMN allowed_reports VARCHAR(500) NULL;
ALTER TABLE partners ADD COLUMN allowed_formats VARCHAR(100) NULL;
