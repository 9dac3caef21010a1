-- Files partners upload to partners/{id}/inbound/ and what processing made of them (issue 13). One row per object
-- version: S3 notifies at least once, so (object_key, object_version) is unique and a second notification finds the row.
-- (object_key_sha256 stands for the key in the unique key: MariaDB cannot index 1,100 characters whole.)
-- object_version is the S3 version id, else its ETag, else (folder store) size and modification time.
-- A processor takes a lease (lease_owner, lease_until) like runs do; a crash leaves it to expire and the file is taken again.
CREATE TABLE inbound_files (
  id VARCHAR(40) NOT NULL PRIMARY KEY,
  partner_id INT NOT NULL REFERENCES partners (id),
  object_key VARCHAR(1100) NOT NULL,
  object_key_sha256 CHAR(64) NOT NULL,
  object_version VARCHAR(200) NOT NULL,
  file_name VARCHAR(300) NOT NULL,
  status VARCHAR(20) NOT NULL,
  rejection VARCHAR(40) NULL,
  reason VARCHAR(2000) NULL,
  uploaded_bytes BIGINT NULL,
  clear_bytes BIGINT NULL,
  clear_sha256 CHAR(64) NULL,
  signer_key_id VARCHAR(40) NULL,
  signer_fingerprint VARCHAR(64) NULL,
  archive_key VARCHAR(1100) NULL,
  stored_key VARCHAR(1100) NULL,
  quarantine_key VARCHAR(1100) NULL,
  attempts INT NOT NULL,
  lease_owner VARCHAR(40) NULL,
  lease_until DATETIME NULL,
  received_at DATETIME NOT NULL,
  verified_at DATETIME NULL,
  stored_at DATETIME NULL,
  rejected_at DATETIME NULL,
  updated_at DATETIME NOT NULL,
  UNIQUE (object_key_sha256, object_version)
);
CREATE INDEX ix_inbound_files_partner_received ON inbound_files (partner_id, received_at);
CREATE INDEX ix_inbound_files_status ON inbound_files (status, lease_until);

-- What a partner may send: signature policy (required | if-signed | none), plaintext allowed, size limit. No row: the defaults.
CREATE TABLE inbound_policies (
  partner_id INT NOT NULL PRIMARY KEY REFERENCES partners (id),
  signature_policy VARCHAR(20) NOT NULL,
  allow_plaintext INT NOT NULL,
  max_bytes BIGINT NULL
);
