using System.Data.Common;
using System.Globalization;
using Dapper;
using ReportingApi.Reports;

namespace ReportingApi.TestSupport;

/// <summary>
/// What each report must contain, read from the database by queries written independently of the app's
/// (subquery scoping, names joined in C#), in canonical form (see <see cref="ReportFiles.Canonical"/>).
/// </summary>
public static class ExpectedReports
{
    public static async Task<List<string?[]>> QueryAsync(
        DbConnection connection, ReportDefinition report, int partnerId, DateOnly from, DateOnly to, string? statusOrCategory = null, int? employerId = null)
    {
        var parameters = new
        {
            partnerId,
            from = from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            to = to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            status = statusOrCategory,
            employerId,
        };
        var (sql, project) = report.Id switch
        {
            "contracts" => (
                """
                SELECT c.contract_number, c.employer_id, (SELECT name FROM employers WHERE id = c.employer_id) AS employer_name,
                       e.personnel_number, e.first_name, e.last_name, b.brand, b.model, (SELECT name FROM dealers WHERE id = c.dealer_id) AS dealer_name,
                       c.start_date, c.end_date, c.term_months, c.monthly_gross_rate, c.employer_subsidy, c.residual_value, c.insurance, c.status
                FROM contracts c, employees e, bikes b
                WHERE e.id = c.employee_id AND b.id = c.bike_id
                  AND c.employer_id IN (SELECT employer_id FROM partner_employers WHERE partner_id = @partnerId)
                  AND NOT (c.end_date < @from OR c.start_date > @to)
                  AND (@status IS NULL OR c.status = @status) AND (@employerId IS NULL OR c.employer_id = @employerId)
                ORDER BY c.id
                """,
                (Func<IDictionary<string, object?>, object?[]>)(row =>
                [
                    row["contract_number"], row["employer_id"], row["employer_name"], row["personnel_number"], $"{row["first_name"]} {row["last_name"]}",
                    row["brand"], row["model"], row["dealer_name"], row["start_date"], row["end_date"], row["term_months"], row["monthly_gross_rate"],
                    row["employer_subsidy"], row["residual_value"], row["insurance"], row["status"],
                ])),
            "installments" => (
                """
                SELECT c.contract_number, c.employer_id, e.personnel_number, i.due_month, i.gross, i.net, i.vat, i.employer_share, i.employee_share, i.status, i.paid_at
                FROM installments i, contracts c, employees e
                WHERE c.id = i.contract_id AND e.id = c.employee_id
                  AND c.employer_id IN (SELECT employer_id FROM partner_employers WHERE partner_id = @partnerId)
                  AND i.due_month BETWEEN @from AND @to
                  AND (@status IS NULL OR i.status = @status) AND (@employerId IS NULL OR c.employer_id = @employerId)
                ORDER BY i.due_month, i.contract_id
                """,
                row => [row["contract_number"], row["employer_id"], row["personnel_number"], row["due_month"], row["gross"], row["net"], row["vat"], row["employer_share"], row["employee_share"], row["status"], row["paid_at"]]),
            "bikes" => (
                """
                SELECT b.frame_number, c.contract_number, c.employer_id, b.brand, b.model, b.category, b.list_price, (SELECT name FROM dealers WHERE id = c.dealer_id) AS dealer_name, c.start_date
                FROM contracts c, bikes b
                WHERE b.id = c.bike_id
                  AND c.employer_id IN (SELECT employer_id FROM partner_employers WHERE partner_id = @partnerId)
                  AND NOT (c.end_date < @from OR c.start_date > @to)
                  AND (@status IS NULL OR b.category = @status) AND (@employerId IS NULL OR c.employer_id = @employerId)
                ORDER BY c.id
                """,
                row => [row["frame_number"], row["contract_number"], row["employer_id"], row["brand"], row["model"], row["category"], row["list_price"], row["dealer_name"], row["start_date"]]),
            "employees" => (
                """
                SELECT e.personnel_number, e.employer_id, (SELECT name FROM employers WHERE id = e.employer_id) AS employer_name, e.first_name, e.last_name, e.email, e.hired_on, e.status
                FROM employees e
                WHERE e.employer_id IN (SELECT employer_id FROM partner_employers WHERE partner_id = @partnerId)
                  AND e.id IN (SELECT employee_id FROM contracts WHERE NOT (end_date < @from OR start_date > @to))
                  AND (@status IS NULL OR e.status = @status) AND (@employerId IS NULL OR e.employer_id = @employerId)
                ORDER BY e.id
                """,
                row => [row["personnel_number"], row["employer_id"], row["employer_name"], row["first_name"], row["last_name"], row["email"], row["hired_on"], row["status"]]),
            _ => throw new ArgumentOutOfRangeException(nameof(report), report.Id, null),
        };

        var rows = await connection.QueryAsync(sql, parameters);
        return rows.Cast<IDictionary<string, object?>>()
            .Select(row => project(row).Select((value, i) => ReportFiles.Canonical(report.Columns[i].Type, value)).ToArray())
            .ToList();
    }
}
