using System.Text.Json.Nodes;
using Dapper;
using ReportingApi.Data;
using ReportingApi.IntegrationTests.Infrastructure;
using ReportingApi.Reports;

namespace ReportingApi.IntegrationTests.Reports;

/// <summary>
/// MariaDB's plan for every report, for a partner with every employer and for one with one employer: it starts from the
/// partner's rows of partner_employers by their primary key, reads each later table through the index that keeps the
/// report's order, and sorts nothing (no filesort, no temporary table). The row order itself is checked against
/// queries ordered by every key in <see cref="ReportDownloadTests"/>.
/// </summary>
[Collection(MariaDbCollectionDefinition.Name)]
public sealed class ReportPlanTests(MariaDbFixture database)
{
    private const int AllEmployersPartner = 900;
    private const int OneEmployerPartner = 901;

    /// <summary>The index each report's tables are read through, by alias.</summary>
    private static readonly Dictionary<string, Dictionary<string, string>> Indexes = new()
    {
        [ReportCatalog.Contracts.Id] = new() { ["pe"] = "PRIMARY", ["er"] = "PRIMARY", ["c"] = "PRIMARY", ["e"] = "PRIMARY", ["b"] = "PRIMARY", ["d"] = "PRIMARY" },
        [ReportCatalog.Installments.Id] = new() { ["pe"] = "PRIMARY", ["c"] = "PRIMARY", ["i"] = "ix_installments_contract_due", ["e"] = "PRIMARY" },
        [ReportCatalog.Bikes.Id] = new() { ["pe"] = "PRIMARY", ["c"] = "PRIMARY", ["b"] = "PRIMARY", ["d"] = "PRIMARY" },
        [ReportCatalog.Employees.Id] = new() { ["pe"] = "PRIMARY", ["er"] = "PRIMARY", ["e"] = "ix_employees_employer_employee", ["c"] = "ix_contracts_employee_period" },
    };

    public static TheoryData<string, int> ReportsAndPartners()
    {
        var data = new TheoryData<string, int>();
        foreach (var report in ReportCatalog.All)
        {
            data.Add(report.Id, AllEmployersPartner);
            data.Add(report.Id, OneEmployerPartner);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ReportsAndPartners))]
    public async Task The_plan_starts_from_the_partners_employers_and_reads_in_index_order_without_sorting(string reportId, int partnerId)
    {
        var report = ReportCatalog.Find(reportId)!;
        await using var connection = await database.OpenConnectionAsync();
        await AddPartnersAsync(connection);
        try
        {
            var request = new ReportRequest(report, ReportFormat.Csv, new DateOnly(2026, 1, 1), new DateOnly(2026, 12, 31), new Dictionary<string, string>());
            var query = ReportReader.BuildQuery(request, partnerId, DatabaseProvider.MySql);
            var parameters = new DynamicParameters();
            foreach (var (name, value) in query.Parameters)
            {
                parameters.Add(name, value);
            }

            var plan = await connection.ExecuteScalarAsync<string>("EXPLAIN FORMAT=JSON " + query.Sql, parameters);

            Assert.DoesNotContain("filesort", plan, StringComparison.Ordinal);
            Assert.DoesNotContain("temporary_table", plan, StringComparison.Ordinal);
            var tables = Tables(JsonNode.Parse(plan!)!).ToList();
            Assert.Equal("pe", tables[0]["table_name"]!.GetValue<string>());
            Assert.Equal(["partner_id"], tables[0]["used_key_parts"]!.AsArray().Select(part => part!.GetValue<string>()));
            var keys = tables.ToDictionary(table => table["table_name"]!.GetValue<string>(), table => table["key"]?.GetValue<string>() ?? "(no index)");
            Assert.Equal(Indexes[reportId].OrderBy(pair => pair.Key), keys.OrderBy(pair => pair.Key));
        }
        finally
        {
            await connection.ExecuteAsync("DELETE FROM partner_employers WHERE partner_id IN (@AllEmployersPartner, @OneEmployerPartner); DELETE FROM partners WHERE id IN (@AllEmployersPartner, @OneEmployerPartner)",
                new { AllEmployersPartner, OneEmployerPartner });
        }
    }

    private static async Task AddPartnersAsync(System.Data.Common.DbConnection connection)
    {
        foreach (var (id, name) in new[] { (AllEmployersPartner, "plan-all"), (OneEmployerPartner, "plan-one") })
        {
            await connection.ExecuteAsync("INSERT INTO partners (id, name, client_id, active, created_at) VALUES (@id, @name, @name, 1, '2026-01-01')", new { id, name });
        }

        await connection.ExecuteAsync("INSERT INTO partner_employers (partner_id, employer_id) SELECT @AllEmployersPartner, id FROM employers", new { AllEmployersPartner });
        await connection.ExecuteAsync("INSERT INTO partner_employers (partner_id, employer_id) SELECT @OneEmployerPartner, MIN(id) FROM employers", new { OneEmployerPartner });
    }

    /// <summary>Every table of the plan in join order, those of subqueries after.</summary>
    private static IEnumerable<JsonNode> Tables(JsonNode node) => node switch
    {
        JsonObject obj when obj["table"] is JsonObject table && table["table_name"] is not null => [table, .. obj.Where(pair => pair.Key != "table").SelectMany(pair => pair.Value is null ? [] : Tables(pair.Value))],
        JsonObject obj => obj.SelectMany(pair => pair.Value is null ? [] : Tables(pair.Value)),
        JsonArray array => array.SelectMany(item => item is null ? [] : Tables(item)),
        _ => [],
    };
}
