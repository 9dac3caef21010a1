-- Issue 14: the audit trail of admin changes, and webhooks to partners.
-- audit_entries is append-only: the code inserts and reads, never updates or deletes. The id orders entries (newest
-- first by id DESC) and is the keyset cursor. On SQLite "INTEGER PRIMARY KEY" is the rowid (assigned on insert), on
-- MySQL/MariaDB AUTO_INCREMENT does the same.
CREATE TABLE audit_entries (
  id INTEGER PRIMARY KEY /*! AUTO_INCREMENT */,
  at DATETIME NOT NULL,
  client_id VARCHAR(128) NOT NULL,
  subject VARCHAR(256) NULL,
  source_ip VARCHAR(64) NULL,
  action VARCHAR(64) NOT NULL,
  partner_id INT NULL,
  target VARCHAR(200) NULL,
  changes TEXT NOT NULL
);
CREATE INDEX ix_audit_entries_partner ON audit_entries (partner_id, id);
CREATE INDEX ix_audit_entries_at ON audit_entries (at, id);

-- One webhook endpoint per partner. The signing secrets are AES-GCM encrypted (WebhookSecretProtector); during a
-- rotation the previous secret stays valid until previous_secret_expires_at. The fingerprints name the secrets in
-- responses and the audit trail without decrypting them. gone_reason is set when the receiver
-- answered 410 Gone: nothing is sent until the endpoint is configured again.
CREATE TABLE webhook_endpoints (
  partner_id INT NOT NULL PRIMARY KEY REFERENCES partners (id),
  url VARCHAR(2048) NOT NULL,
  event_types VARCHAR(200) NOT NULL,
  secret VARCHAR(300) NOT NULL,
  secret_fingerprint VARCHAR(40) NOT NULL,
  previous_secret VARCHAR(300) NULL,
  previous_secret_fingerprint VARCHAR(40) NULL,
  previous_secret_expires_at DATETIME NULL,
  gone_reason VARCHAR(500) NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);

-- Each event is stored before it is sent (the exact body that is signed), then sent by the background sender with
-- retries: status pending until delivered, failed (attempts used up), gone (410) or dropped (the endpoint was removed
-- or no longer subscribes). source_key (e.g. run id, status and time) makes storing the same outcome twice a no-op;
-- run_id lets the catch-up find ended runs whose event a crash kept from being stored.
CREATE TABLE webhook_events (
  id VARCHAR(40) NOT NULL PRIMARY KEY,
  partner_id INT NOT NULL REFERENCES partners (id),
  type VARCHAR(40) NOT NULL,
  source_key VARCHAR(120) NOT NULL,
  run_id VARCHAR(40) NULL,
  body TEXT NOT NULL,
  status VARCHAR(20) NOT NULL,
  attempts INT NOT NULL,
  next_attempt_at DATETIME NULL,
  lease_until DATETIME NULL,
  last_reason VARCHAR(600) NULL,
  created_at DATETIME NOT NULL,
  delivered_at DATETIME NULL,
  UNIQUE (source_key)
);
CREATE INDEX ix_webhook_events_due ON webhook_events (status, next_attempt_at);
CREATE INDEX ix_webhook_events_partner ON webhook_events (partner_id, created_at);
CREATE INDEX ix_webhook_events_run ON webhook_events (run_id, created_at);
CREATE INDEX ix_report_runs_updated ON report_runs (updated_at);

-- The delivery log: every attempt of every event, as the sender classified it.
CREATE TABLE webhook_attempts (
  event_id VARCHAR(40) NOT NULL REFERENCES webhook_events (id),
  attempt INT NOT NULL,
  url VARCHAR(2048) NOT NULL,
  started_at DATETIME NOT NULL,
  duration_ms INT NOT NULL,
  outcome VARCHAR(20) NOT NULL,
  status_code INT NULL,
  reason VARCHAR(600) NOT NULL,
  response_excerpt VARCHAR(600) NULL,
  PRIMARY KEY (event_id, attempt)
)
