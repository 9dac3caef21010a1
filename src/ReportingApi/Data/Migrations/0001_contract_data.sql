-- Contract data and the partner registry. Written in the SQL subset that MySQL/MariaDB and SQLite share:
-- explicit ids (no AUTO_INCREMENT), dates as DATE, money as DECIMAL(12,2).
CREATE TABLE employers (
  id INT NOT NULL PRIMARY KEY,
  name VARCHAR(200) NOT NULL,
  vat_id VARCHAR(20) NOT NULL,
  city VARCHAR(100) NOT NULL,
  country CHAR(2) NOT NULL
);

CREATE TABLE dealers (
  id INT NOT NULL PRIMARY KEY,
  name VARCHAR(200) NOT NULL,
  city VARCHAR(100) NOT NULL,
  country CHAR(2) NOT NULL
);

CREATE TABLE employees (
  id INT NOT NULL PRIMARY KEY,
  employer_id INT NOT NULL REFERENCES employers (id),
  personnel_number VARCHAR(20) NOT NULL,
  first_name VARCHAR(100) NOT NULL,
  last_name VARCHAR(100) NOT NULL,
  email VARCHAR(200) NOT NULL,
  hired_on DATE NOT NULL,
  status VARCHAR(20) NOT NULL
);
CREATE INDEX ix_employees_employer ON employees (employer_id);

CREATE TABLE bikes (
  id INT NOT NULL PRIMARY KEY,
  brand VARCHAR(50) NOT NULL,
  model VARCHAR(100) NOT NULL,
  category VARCHAR(20) NOT NULL,
  frame_number VARCHAR(30) NOT NULL,
  list_price DECIMAL(12,2) NOT NULL
);

CREATE TABLE contracts (
  id INT NOT NULL PRIMARY KEY,
  contract_number VARCHAR(20) NOT NULL,
  employee_id INT NOT NULL REFERENCES employees (id),
  employer_id INT NOT NULL REFERENCES employers (id),
  bike_id INT NOT NULL REFERENCES bikes (id),
  dealer_id INT NOT NULL REFERENCES dealers (id),
  start_date DATE NOT NULL,
  end_date DATE NOT NULL,
  term_months INT NOT NULL,
  monthly_gross_rate DECIMAL(12,2) NOT NULL,
  employer_subsidy DECIMAL(12,2) NOT NULL,
  residual_value DECIMAL(12,2) NOT NULL,
  insurance VARCHAR(20) NOT NULL,
  status VARCHAR(20) NOT NULL
);
CREATE INDEX ix_contracts_employer_period ON contracts (employer_id, start_date, end_date);
CREATE INDEX ix_contracts_employee ON contracts (employee_id);

CREATE TABLE installments (
  id BIGINT NOT NULL PRIMARY KEY,
  contract_id INT NOT NULL REFERENCES contracts (id),
  due_month DATE NOT NULL,
  gross DECIMAL(12,2) NOT NULL,
  net DECIMAL(12,2) NOT NULL,
  vat DECIMAL(12,2) NOT NULL,
  employer_share DECIMAL(12,2) NOT NULL,
  employee_share DECIMAL(12,2) NOT NULL,
  status VARCHAR(20) NOT NULL,
  paid_at DATETIME NULL
);
CREATE INDEX ix_installments_due_month ON installments (due_month, contract_id);

CREATE TABLE partners (
  id INT NOT NULL PRIMARY KEY,
  name VARCHAR(200) NOT NULL,
  client_id VARCHAR(128) NOT NULL UNIQUE,
  active INT NOT NULL,
  ip_allowlist VARCHAR(2000) NULL,
  created_at DATETIME NOT NULL
);

CREATE TABLE partner_employers (
  partner_id INT NOT NULL REFERENCES partners (id),
  employer_id INT NOT NULL REFERENCES employers (id),
  PRIMARY KEY (partner_id, employer_id)
);
CREATE INDEX ix_partner_employers_employer ON partner_employers (employer_id);
