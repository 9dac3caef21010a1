-- Subscriptions: a partner's report on a schedule (cron on an IANA zone's clock) with a period rule relative to each
-- slot. processed_through is the cursor: every slot up to it has been run or recorded as skipped. next_slot_at is the
-- first slot after it, kept with it, so the scheduler tick finds due subscriptions in one range of ix_subscriptions_due.
CREATE TABLE subscriptions (
  id VARCHAR(40) NOT NULL PRIMARY KEY,
  partner_id INT NOT NULL REFERENCES partners (id),
  report VARCHAR(40) NOT NULL,
  format VARCHAR(10) NOT NULL,
  filters VARCHAR(1000) NOT NULL,
  armored INT NOT NULL,
  cron VARCHAR(100) NOT NULL,
  time_zone VARCHAR(64) NOT NULL,
  period_rule VARCHAR(20) NOT NULL,
  status VARCHAR(10) NOT NULL,
  paused_by VARCHAR(10) NULL,
  blocked_reason VARCHAR(500) NULL,
  processed_through DATETIME NOT NULL,
  next_slot_at DATETIME NULL,
  skipped_count INT NOT NULL,
  skipped_first DATETIME NULL,
  skipped_last DATETIME NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE INDEX ix_subscriptions_due ON subscriptions (status, next_slot_at);
CREATE INDEX ix_subscriptions_partner ON subscriptions (partner_id, created_at);

-- A slot's run: one per subscription and slot, whoever creates it (two scheduler instances ticking the same minute).
ALTER TABLE report_runs ADD COLUMN subscription_id VARCHAR(40) NULL;
ALTER TABLE report_runs ADD COLUMN slot_at DATETIME NULL;
CREATE UNIQUE INDEX ux_report_runs_subscription_slot ON report_runs (subscription_id, slot_at);
