using Dapper;
using MySql.Data.MySqlClient;
using ReportingApi.Reports;

namespace ReportingApi.IntegrationTests.Reports;

/// <summary>
/// What each report must contain, read straight from MariaDB with queries written here, independently of the
/// app's SQL: the partner's employers come from <c>partner_employers</c> by client id, the period rules are
/// restated (overlap, due month in range), and each column is aliased to the report's column name.
/// </summary>
public static class ExpectedReports
{
    private static readonly Dictionary<string, string> Queries = new(StringComparer.Ordinal)
    {
        [ReportCatalog.Contracts.Id] = """
            SELECT c.contract_number AS contractNumber,
                   c.employer_id AS employerId,
                   (SELECT name FROM employers WHERE id = c.employer_id) AS employerName,
                   emp.personnel_number AS personnelNumber,
                   CONCAT_WS(' ', emp.first_name, emp.last_name) AS employeeName,
                   bike.brand AS bikeBrand,
                   bike.model AS bikeModel,
                   (SELECT name FROM dealers WHERE id = c.dealer_id) AS dealerName,
                   c.start_date AS startDate,
                   c.end_date AS endDate,
                   c.term_months AS termMonths,
                   c.monthly_gross_rate AS monthlyGrossRate,
                   c.employer_subsidy AS employerSubsidy,
                   c.residual_value AS residualValue,
                   c.insurance AS insurance,
                   c.status AS status
            FROM contracts c, employees emp, bikes bike
            WHERE emp.id = c.employee_id AND bike.id = c.bike_id
              AND c.employer_id IN (SELECT employer_id FROM partner_employers pe, partners p WHERE pe.partner_id = p.id AND p.client_id = @clientId)
              AND NOT (c.start_date > @periodEnd OR c.end_date < @periodStart)
              /*employer*/
            ORDER BY c.id
            """,
        [ReportCatalog.Installments.Id] = """
            SELECT c.contract_number AS contractNumber,
                   c.employer_id AS employerId,
                   (SELECT personnel_number FROM employees WHERE id = c.employee_id) AS personnelNumber,
                   i.due_month AS dueMonth,
                   i.gross AS gross,
                   i.net AS net,
                   i.vat AS vat,
                   i.employer_share AS employerShare,
                   i.employee_share AS employeeShare,
                   i.status AS status,
                   i.paid_at AS paidAt
            FROM installments i, contracts c
            WHERE c.id = i.contract_id
              AND c.employer_id IN (SELECT employer_id FROM partner_employers pe, partners p WHERE pe.partner_id = p.id AND p.client_id = @clientId)
              AND i.due_month BETWEEN @periodStart AND @periodEnd
              /*employer*/
            ORDER BY i.due_month, i.contract_id
            """,
        [ReportCatalog.Bikes.Id] = """
            SELECT bike.frame_number AS frameNumber,
                   c.contract_number AS contractNumber,
                   c.employer_id AS employerId,
                   bike.brand AS brand,
                   bike.model AS model,
                   bike.category AS category,
                   bike.list_price AS listPrice,
                   (SELECT name FROM dealers WHERE id = c.dealer_id) AS dealerName,
                   c.start_date AS deliveredOn
            FROM contracts c, bikes bike
            WHERE bike.id = c.bike_id
              AND c.employer_id IN (SELECT employer_id FROM partner_employers pe, partners p WHERE pe.partner_id = p.id AND p.client_id = @clientId)
              AND NOT (c.start_date > @periodEnd OR c.end_date < @periodStart)
              /*employer*/
            ORDER BY c.id
            """,
        [ReportCatalog.Employees.Id] = """
            SELECT emp.personnel_number AS personnelNumber,
                   emp.employer_id AS employerId,
                   (SELECT name FROM employers WHERE id = emp.employer_id) AS employerName,
                   emp.first_name AS firstName,
                   emp.last_name AS lastName,
                   emp.email AS email,
                   emp.hired_on AS hiredOn,
                   emp.status AS status
            FROM employees emp
            WHERE emp.employer_id IN (SELECT employer_id FROM partner_employers pe, partners p WHERE pe.partner_id = p.id AND p.client_id = @clientId)
              AND emp.id IN (SELECT employee_id FROM contracts WHERE NOT (start_date > @periodEnd OR end_date < @periodStart))
              /*employer*/
            ORDER BY emp.id
            """,
    };

    /// <summary>The rows <paramref name="report"/> must have for the partner with <paramref name="clientId"/>, in file order.</summary>
    public static async Task<ReportTable> QueryAsync(
        string connectionString, ReportDefinition report, string clientId, DateOnly from, DateOnly to, int? employerId = null)
    {
        var employerColumn = report == ReportCatalog.Employees ? "emp.employer_id" : "c.employer_id";
        var sql = Queries[report.Id].Replace("/*employer*/", employerId is null ? "" : $"AND {employerColumn} = @employerId", StringComparison.Ordinal);
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync();
        await using var reader = await connection.ExecuteReaderAsync(sql, new
        {
            clientId,
            periodStart = from.ToDateTime(TimeOnly.MinValue),
            periodEnd = to.ToDateTime(TimeOnly.MinValue),
            employerId,
        });

        var header = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
        var types = header.Select(name => report.Columns.Single(column => column.Name == name).Type).ToArray();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            rows.Add(types.Select((type, i) => ReportTable.Normalize(reader.GetValue(i), type)).ToArray());
        }

        return new ReportTable(header, rows);
    }

    /// <summary>The employer ids assigned to the partner with <paramref name="clientId"/>.</summary>
    public static async Task<IReadOnlySet<long>> EmployersOfAsync(string connectionString, string clientId)
    {
        await using var connection = new MySqlConnection(connectionString);
        var ids = await connection.QueryAsync<long>(
            "SELECT pe.employer_id FROM partner_employers pe JOIN partners p ON p.id = pe.partner_id WHERE p.client_id = @clientId",
            new { clientId });
        return ids.ToHashSet();
    }
}
