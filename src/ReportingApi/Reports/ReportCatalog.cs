namespace ReportingApi.Reports;

/// <summary>
/// Every report the API offers. Each query starts from the partner's rows of <c>partner_employers</c> (its primary key,
/// so in employer order), so no report can be run without the authenticated partner's id and a report costs what the
/// partner's rows cost. Every later table is read through an index in the report's order (migration 0005; on MySQL
/// contracts are stored by employer, then id, migration 0011, so they are read through their primary key), so
/// nothing is sorted: <c>/*! STRAIGHT_JOIN */</c> and <c>/*! FORCE INDEX */</c> fix that plan on MySQL/MariaDB, which
/// run what is inside <c>/*! */</c>; SQLite reads them as comments. See <see cref="ReportDefinition.OrderBy"/>.
/// </summary>
public static class ReportCatalog
{
    /// <summary>The employer filter narrows the partner's own employers, so the plan still starts from them.</summary>
    private const string EmployerFilterColumn = "pe.employer_id";

    public static readonly ReportDefinition Contracts = new(
        "contracts",
        "Contracts",
        "Leasing contracts of the partner's employers that are active at any time in the period, by employer, then contract.",
        "Contracts whose term overlaps the period (start_date <= to and end_date >= from).",
        [
            new("contractNumber", "Contract number", ColumnType.Text, "Contract number, unique.", 14),
            new("employerId", "Employer id", ColumnType.Integer, "Employer id.", 11),
            new("employerName", "Employer", ColumnType.Text, "Employer name.", 34),
            new("personnelNumber", "Personnel number", ColumnType.Text, "Employee's personnel number at the employer.", 16),
            new("employeeName", "Employee", ColumnType.Text, "Employee's full name.", 24),
            new("bikeBrand", "Brand", ColumnType.Text, "Bike brand.", 16),
            new("bikeModel", "Model", ColumnType.Text, "Bike model.", 22),
            new("dealerName", "Dealer", ColumnType.Text, "Dealer who delivered the bike.", 24),
            new("startDate", "Start", ColumnType.Date, "First day of the contract.", 11),
            new("endDate", "End", ColumnType.Date, "Last day of the contract.", 11),
            new("termMonths", "Term (months)", ColumnType.Integer, "Term in months.", 13),
            new("monthlyGrossRate", "Monthly gross rate", ColumnType.Decimal, "Monthly gross leasing rate (EUR).", 18),
            new("employerSubsidy", "Employer subsidy", ColumnType.Decimal, "Monthly employer subsidy (EUR).", 16),
            new("residualValue", "Residual value", ColumnType.Decimal, "Residual value at the end of the term (EUR).", 15),
            new("insurance", "Insurance", ColumnType.Text, "Insurance package: premium, basic or none.", 11),
            new("status", "Status", ColumnType.Text, "active, ended or cancelled.", 10),
        ],
        [
            new("status", "Only contracts with this status.", "c.status", ["active", "ended", "cancelled"]),
            new("employerId", "Only this employer (one of yours).", EmployerFilterColumn, []),
        ],
        """
        SELECT /*! STRAIGHT_JOIN */ c.contract_number, c.employer_id, er.name, e.personnel_number, CONCAT(e.first_name, ' ', e.last_name),
               b.brand, b.model, d.name, c.start_date, c.end_date, c.term_months, c.monthly_gross_rate,
               c.employer_subsidy, c.residual_value, c.insurance, c.status
        FROM partner_employers pe
        JOIN employers er ON er.id = pe.employer_id
        JOIN contracts c /*! FORCE INDEX (PRIMARY) */ ON c.employer_id = pe.employer_id
        JOIN employees e ON e.id = c.employee_id
        JOIN bikes b ON b.id = c.bike_id
        JOIN dealers d ON d.id = c.dealer_id
        WHERE pe.partner_id = @partnerId AND c.start_date <= @to AND c.end_date >= @from
        """,
        "pe.employer_id, c.id");

    public static readonly ReportDefinition Installments = new(
        "installments",
        "Installments",
        "Monthly installments (the financials) of the partner's employers' contracts, due in the period, by employer, then contract, then due month.",
        "Installments whose due month lies in the period.",
        [
            new("contractNumber", "Contract number", ColumnType.Text, "Contract number.", 14),
            new("employerId", "Employer id", ColumnType.Integer, "Employer id.", 11),
            new("personnelNumber", "Personnel number", ColumnType.Text, "Employee's personnel number.", 16),
            new("dueMonth", "Due month", ColumnType.Date, "First day of the month the installment is due.", 11),
            new("gross", "Gross", ColumnType.Decimal, "Gross amount (EUR).", 10),
            new("net", "Net", ColumnType.Decimal, "Net amount (EUR).", 10),
            new("vat", "VAT", ColumnType.Decimal, "VAT (EUR).", 9),
            new("employerShare", "Employer share", ColumnType.Decimal, "Paid by the employer (EUR).", 14),
            new("employeeShare", "Employee share", ColumnType.Decimal, "Deducted from the employee's salary (EUR).", 14),
            new("status", "Status", ColumnType.Text, "open, paid or overdue.", 9),
            new("paidAt", "Paid at", ColumnType.DateTime, "When it was paid (UTC), empty if not paid.", 20),
        ],
        [
            new("status", "Only installments with this status.", "i.status", ["open", "paid", "overdue"]),
            new("employerId", "Only this employer (one of yours).", EmployerFilterColumn, []),
        ],
        """
        SELECT /*! STRAIGHT_JOIN */ c.contract_number, c.employer_id, e.personnel_number, i.due_month, i.gross, i.net, i.vat,
               i.employer_share, i.employee_share, i.status, i.paid_at
        FROM partner_employers pe
        JOIN contracts c /*! FORCE INDEX (PRIMARY) */ ON c.employer_id = pe.employer_id
        JOIN installments i /*! FORCE INDEX (ix_installments_contract_due) */ ON i.contract_id = c.id
        JOIN employees e ON e.id = c.employee_id
        WHERE pe.partner_id = @partnerId AND i.due_month >= @from AND i.due_month <= @to
        """,
        "pe.employer_id, c.id, i.due_month");

    public static readonly ReportDefinition Bikes = new(
        "bikes",
        "Bikes",
        "Bikes leased under the partner's employers' contracts that are active in the period, by employer, then contract.",
        "Bikes whose contract overlaps the period.",
        [
            new("frameNumber", "Frame number", ColumnType.Text, "Frame number.", 14),
            new("contractNumber", "Contract number", ColumnType.Text, "Contract the bike is leased under.", 14),
            new("employerId", "Employer id", ColumnType.Integer, "Employer id.", 11),
            new("brand", "Brand", ColumnType.Text, "Brand.", 16),
            new("model", "Model", ColumnType.Text, "Model.", 22),
            new("category", "Category", ColumnType.Text, "e-bike, city, cargo, road, mountain or folding.", 10),
            new("listPrice", "List price", ColumnType.Decimal, "List price (EUR).", 12),
            new("dealerName", "Dealer", ColumnType.Text, "Dealer.", 24),
            new("deliveredOn", "Delivered on", ColumnType.Date, "Handover date (contract start).", 12),
        ],
        [
            new("category", "Only bikes of this category.", "b.category", ["e-bike", "city", "cargo", "road", "mountain", "folding"]),
            new("employerId", "Only this employer (one of yours).", EmployerFilterColumn, []),
        ],
        """
        SELECT /*! STRAIGHT_JOIN */ b.frame_number, c.contract_number, c.employer_id, b.brand, b.model, b.category, b.list_price, d.name, c.start_date
        FROM partner_employers pe
        JOIN contracts c /*! FORCE INDEX (PRIMARY) */ ON c.employer_id = pe.employer_id
        JOIN bikes b ON b.id = c.bike_id
        JOIN dealers d ON d.id = c.dealer_id
        WHERE pe.partner_id = @partnerId AND c.start_date <= @to AND c.end_date >= @from
        """,
        "pe.employer_id, c.id");

    public static readonly ReportDefinition Employees = new(
        "employees",
        "Employees",
        "Employees of the partner's employers who have a contract active in the period, by employer, then employee.",
        "Employees with at least one contract overlapping the period.",
        [
            new("personnelNumber", "Personnel number", ColumnType.Text, "Personnel number at the employer.", 16),
            new("employerId", "Employer id", ColumnType.Integer, "Employer id.", 11),
            new("employerName", "Employer", ColumnType.Text, "Employer name.", 34),
            new("firstName", "First name", ColumnType.Text, "First name.", 14),
            new("lastName", "Last name", ColumnType.Text, "Last name.", 16),
            new("email", "Email", ColumnType.Text, "Work email.", 36),
            new("hiredOn", "Hired on", ColumnType.Date, "Hire date.", 11),
            new("status", "Status", ColumnType.Text, "active or left.", 9),
        ],
        [
            new("status", "Only employees with this status.", "e.status", ["active", "left"]),
            new("employerId", "Only this employer (one of yours).", EmployerFilterColumn, []),
        ],
        // A scalar subquery, not EXISTS: MariaDB turns EXISTS into a semi-join and, for a partner with many employers,
        // materializes it from every contract (a full index scan whatever the partner). This one looks up each
        // employee's contracts in ix_contracts_employee_period, index only.
        """
        SELECT /*! STRAIGHT_JOIN */ e.personnel_number, e.employer_id, er.name, e.first_name, e.last_name, e.email, e.hired_on, e.status
        FROM partner_employers pe
        JOIN employers er ON er.id = pe.employer_id
        JOIN employees e /*! FORCE INDEX (ix_employees_employer_employee) */ ON e.employer_id = pe.employer_id
        WHERE pe.partner_id = @partnerId
          AND (SELECT COUNT(*) FROM contracts c WHERE c.employee_id = e.id AND c.start_date <= @to AND c.end_date >= @from) > 0
        """,
        "pe.employer_id, e.id");

    public static readonly IReadOnlyList<ReportDefinition> All = [Contracts, Installments, Bikes, Employees];

    public static ReportDefinition? Find(string id) =>
        All.FirstOrDefault(report => string.Equals(report.Id, id, StringComparison.OrdinalIgnoreCase));
}
