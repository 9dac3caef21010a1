namespace ReportingApi.Reports;

/// <summary>
/// Every report the API offers. The scope join on <c>partner_employers</c> is part of each query's text, so no
/// report can be run without the authenticated partner's id.
/// </summary>
public static class ReportCatalog
{
    public static readonly ReportDefinition Contracts = new(
        "contracts",
        "Contracts",
        "Leasing contracts of the partner's employers that are active at any time in the period.",
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
            new("employerId", "Only this employer (one of yours).", "c.employer_id", []),
        ],
        """
        SELECT c.contract_number, c.employer_id, er.name, e.personnel_number, CONCAT(e.first_name, ' ', e.last_name),
               b.brand, b.model, d.name, c.start_date, c.end_date, c.term_months, c.monthly_gross_rate,
               c.employer_subsidy, c.residual_value, c.insurance, c.status
        FROM contracts c
        JOIN partner_employers pe ON pe.employer_id = c.employer_id AND pe.partner_id = @partnerId
        JOIN employers er ON er.id = c.employer_id
        JOIN employees e ON e.id = c.employee_id
        JOIN bikes b ON b.id = c.bike_id
        JOIN dealers d ON d.id = c.dealer_id
        WHERE c.start_date <= @to AND c.end_date >= @from
        """,
        "c.id");

    public static readonly ReportDefinition Installments = new(
        "installments",
        "Installments",
        "Monthly installments (the financials) of the partner's employers' contracts, due in the period.",
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
            new("employerId", "Only this employer (one of yours).", "c.employer_id", []),
        ],
        """
        SELECT c.contract_number, c.employer_id, e.personnel_number, i.due_month, i.gross, i.net, i.vat,
               i.employer_share, i.employee_share, i.status, i.paid_at
        FROM installments i
        JOIN contracts c ON c.id = i.contract_id
        JOIN partner_employers pe ON pe.employer_id = c.employer_id AND pe.partner_id = @partnerId
        JOIN employees e ON e.id = c.employee_id
        WHERE i.due_month >= @from AND i.due_month <= @to
        """,
        "i.due_month, i.contract_id");

    public static readonly ReportDefinition Bikes = new(
        "bikes",
        "Bikes",
        "Bikes leased under the partner's employers' contracts that are active in the period.",
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
            new("employerId", "Only this employer (one of yours).", "c.employer_id", []),
        ],
        """
        SELECT b.frame_number, c.contract_number, c.employer_id, b.brand, b.model, b.category, b.list_price, d.name, c.start_date
        FROM contracts c
        JOIN partner_employers pe ON pe.employer_id = c.employer_id AND pe.partner_id = @partnerId
        JOIN bikes b ON b.id = c.bike_id
        JOIN dealers d ON d.id = c.dealer_id
        WHERE c.start_date <= @to AND c.end_date >= @from
        """,
        "c.id");

    public static readonly ReportDefinition Employees = new(
        "employees",
        "Employees",
        "Employees of the partner's employers who have a contract active in the period.",
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
            new("employerId", "Only this employer (one of yours).", "e.employer_id", []),
        ],
        """
        SELECT e.personnel_number, e.employer_id, er.name, e.first_name, e.last_name, e.email, e.hired_on, e.status
        FROM employees e
        JOIN partner_employers pe ON pe.employer_id = e.employer_id AND pe.partner_id = @partnerId
        JOIN employers er ON er.id = e.employer_id
        WHERE EXISTS (SELECT 1 FROM contracts c WHERE c.employee_id = e.id AND c.start_date <= @to AND c.end_date >= @from)
        """,
        "e.id");

    public static readonly IReadOnlyList<ReportDefinition> All = [Contracts, Installments, Bikes, Employees];

    public static ReportDefinition? Find(string id) =>
        All.FirstOrDefault(report => string.Equals(report.Id, id, StringComparison.OrdinalIgnoreCase));
}
