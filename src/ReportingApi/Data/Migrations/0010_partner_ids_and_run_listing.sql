-- New partner ids come from MySQL's AUTO_INCREMENT instead of MAX(id) + 1, which two concurrent creates both read. SQLite
-- reads /*! */ as a comment: there one writer at a time runs the INSERT that takes MAX(id) + 1, so two never see the
-- same maximum (rebuilding its table to make id a rowid alias would have to name every column, later ones included).
/*! ALTER TABLE partners MODIFY id INT NOT NULL AUTO_INCREMENT */;
-- Operators list runs of all partners newest first, paged by (created_at, id); a partner's own list uses
-- ix_report_runs_partner_created.
CREATE INDEX ix_report_runs_created ON report_runs (created_at, id);
-- A run an operator started on a partner's behalf (POST /v1/admin/partners/{id}/report-runs).
ALTER TABLE report_runs ADD COLUMN requested_by_operator INT NOT NULL DEFAULT 0;
