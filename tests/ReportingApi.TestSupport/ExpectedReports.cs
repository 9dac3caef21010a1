using System.Data.Common;
using System.Globalization;
using Dapper;
using ReportingApi.Reports;

namespace ReportingApi.TestSupport;

/// <summary>
/// What each report must contain, read from the database (SQLite or MariaDB) with queries written here independently
/// of the app's SQL: the partner's employers come from <c>partner_employers</c> by the partner's client id, the period
/// rules are restated (overlap, due month in range), names come from subqueries, and each column is aliased to the
/// report's column name, and the order is written out in full (by employer, then contract, then due month; employees by
/// employer, then employee). Values are in the canonical form of <see cref="ReportFiles.Canonical"/>.
/// </summary>
public static class ExpectedReports
{
    private const string PartnerEmployers =
        "SELECT pe.employer_id FROM partner_employers pe, partners p WHERE pe.partner_id = p.id AND p.client_id = @clientId";

    // A contract c counts for a period when its term overlaps it.
    private const string ContractOverlapsPeriod = "NOT (c.start_date > @periodEnd OR c.end_date < @periodStart)";

    // What the CSV writer is configured to escape (CSV injection): such text is written with a leading quote.
    private static readonly char[] CsvFormulaStarts = ['=', '+', '-', '@', '\t', '\r'];

    private static readonly Dictionary<string, string> Queries = new(StringComparer.Ordinal)
    {
        [ReportCatalog.Contracts.Id] = $"""
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
              AND c.employer_id IN ({PartnerEmployers})
              AND {ContractOverlapsPeriod}
              AND (@filter IS NULL OR c.status = @filter)
              AND (@employerId IS NULL OR c.employer_id = @employerId)
            ORDER BY c.employer_id, c.id
            """,
        [ReportCatalog.Installments.Id] = $"""
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
              AND c.employer_id IN ({PartnerEmployers})
              AND i.due_month BETWEEN @periodStart AND @periodEnd
              AND (@filter IS NULL OR i.status = @filter)
              AND (@employerId IS NULL OR c.employer_id = @employerId)
            ORDER BY c.employer_id, c.id, i.due_month
            """,
        [ReportCatalog.Bikes.Id] = $"""
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
              AND c.employer_id IN ({PartnerEmployers})
              AND {ContractOverlapsPeriod}
              AND (@filter IS NULL OR bike.category = @filter)
              AND (@employerId IS NULL OR c.employer_id = @employerId)
            ORDER BY c.employer_id, c.id
            """,
        [ReportCatalog.Employees.Id] = $"""
            SELECT emp.personnel_number AS personnelNumber,
                   emp.employer_id AS employerId,
                   (SELECT name FROM employers WHERE id = emp.employer_id) AS employerName,
                   emp.first_name AS firstName,
                   emp.last_name AS lastName,
                   emp.email AS email,
                   emp.hired_on AS hiredOn,
                   emp.status AS status
            FROM employees emp
            WHERE emp.employer_id IN ({PartnerEmployers})
              AND emp.id IN (SELECT c.employee_id FROM contracts c WHERE {ContractOverlapsPeriod})
              AND (@filter IS NULL OR emp.status = @filter)
              AND (@employerId IS NULL OR emp.employer_id = @employerId)
            ORDER BY emp.employer_id, emp.id
            """,
    };

    /// <summary>
    /// The rows <paramref name="report"/> must have, in file order, for the partner with <paramref name="clientId"/>;
    /// <paramref name="filter"/> is the value of the report's text filter (status or category).
    /// </summary>
    public static async Task<List<string?[]>> QueryAsync(
        DbConnection connection, ReportDefinition report, string clientId, DateOnly from, DateOnly to, string? filter = null, int? employerId = null)
    {
        await using var reader = await connection.ExecuteReaderAsync(Queries[report.Id], new
        {
            clientId,
            periodStart = from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            periodEnd = to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            filter,
            employerId,
        });

        var selected = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
        if (!selected.SequenceEqual(report.Columns.Select(column => column.Name), StringComparer.Ordinal))
        {
            throw new InvalidOperationException($"The expected query for {report.Id} selects [{string.Join(", ", selected)}], not the report's columns in order.");
        }

        var rows = new List<string?[]>();
        while (await reader.ReadAsync())
        {
            rows.Add(report.Columns.Select((column, i) => ReportFiles.Canonical(column.Type, reader.GetValue(i))).ToArray());
        }

        return rows;
    }

    /// <summary>
    /// Where <paramref name="file"/> differs from the <paramref name="expected"/> rows: the row count, or the first value
    /// that differs; null where the file holds exactly those rows. In CSV, text that would start a spreadsheet formula is
    /// expected with the writer's leading quote.
    /// </summary>
    public static string? FirstDifference(IReadOnlyList<string?[]> expected, ReportFiles.Parsed file, ReportFormat format)
    {
        var report = file.Report;
        if (expected.Count != file.Rows.Count)
        {
            return $"{report.Id}.{format}: {file.Rows.Count} rows, expected {expected.Count}.";
        }

        for (var row = 0; row < expected.Count; row++)
        {
            for (var column = 0; column < report.Columns.Count; column++)
            {
                var wanted = expected[row][column];
                if (format == ReportFormat.Csv && report.Columns[column].Type == ColumnType.Text && wanted is { Length: > 0 } && CsvFormulaStarts.Contains(wanted[0]))
                {
                    wanted = "'" + wanted;
                }

                var actual = file.Rows[row][column];
                if (!string.Equals(wanted, actual, StringComparison.Ordinal))
                {
                    return $"{report.Id}.{format} row {row + 1}, column {report.Columns[column].Name}: expected <{wanted}>, file has <{actual}>.";
                }
            }
        }

        return null;
    }

    /// <summary>The employer ids assigned to the partner with <paramref name="clientId"/>.</summary>
    public static async Task<IReadOnlySet<long>> EmployersOfAsync(DbConnection connection, string clientId)
    {
        var ids = await connection.QueryAsync<long>(PartnerEmployers, new { clientId });
        return ids.ToHashSet();
    }
}
