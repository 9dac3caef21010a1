-- Report plans start from the partner's rows of partner_employers (its primary key: partner_id, employer_id) and read
-- each later table through an index in the report's order, so no result is sorted and a report costs what the
-- partner's rows cost, not what the tables hold (Reports/ReportCatalog.cs). Each new index comes before the one it
-- replaces, which MariaDB's foreign keys need. MySQL runs what is inside /*! */; SQLite reads it as a comment, and its
-- DROP INDEX names no table.
CREATE INDEX ix_contracts_employer_contract ON contracts (employer_id, id);
DROP INDEX ix_contracts_employer_period /*! ON contracts */;
-- The employees report asks for each employee whether a contract overlaps the period: answered from this index alone.
CREATE INDEX ix_contracts_employee_period ON contracts (employee_id, start_date, end_date);
DROP INDEX ix_contracts_employee /*! ON contracts */;
CREATE INDEX ix_employees_employer_employee ON employees (employer_id, id);
DROP INDEX ix_employees_employer /*! ON employees */;
CREATE INDEX ix_installments_contract_due ON installments (contract_id, due_month);
DROP INDEX ix_installments_due_month /*! ON installments */;
