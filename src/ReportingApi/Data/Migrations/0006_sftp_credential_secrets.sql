-- Direct SFTP logs in with credentials from the secret source (a private key, its passphrase, a password), named by
-- references kept with the partner, instead of a private-key file path on one machine. A stored key file path becomes
-- the private-key reference: with the Files secret provider an absolute path is read as it is, so it keeps working.
ALTER TABLE partners ADD COLUMN sftp_private_key_secret VARCHAR(1000) NULL;
ALTER TABLE partners ADD COLUMN sftp_passphrase_secret VARCHAR(1000) NULL;
ALTER TABLE partners ADD COLUMN sftp_password_secret VARCHAR(1000) NULL;
UPDATE partners SET sftp_private_key_secret = sftp_private_key_path WHERE sftp_private_key_path IS NOT NULL;
ALTER TABLE partners DROP COLUMN sftp_private_key_path;
