using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ReportingApi.Data;
using ReportingApi.Demo;

namespace ReportingApi.Tests.Data;

public sealed class DataTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("reportingapi-data-").FullName;

    [Fact]
    public void The_generator_is_deterministic_for_a_seed_and_differs_across_seeds()
    {
        static string Fingerprint(DemoDataGenerator generator) => string.Join('\n', generator.Tables()
            .SelectMany(table => table.Rows.Take(200).Select(row => table.Table + ":" + string.Join('|', row))));

        Assert.Equal(Fingerprint(new DemoDataGenerator(500, seed: 7)), Fingerprint(new DemoDataGenerator(500, seed: 7)));
        Assert.NotEqual(Fingerprint(new DemoDataGenerator(500, seed: 7)), Fingerprint(new DemoDataGenerator(500, seed: 8)));
    }

    [Fact]
    public void Generated_data_is_consistent()
    {
        var generator = new DemoDataGenerator(2_000);
        var tables = generator.Tables().ToDictionary(table => table.Table, table => table.Rows.ToList());

        Assert.Equal(2_000, tables["contracts"].Count);
        Assert.Equal(2_000, tables["bikes"].Count);
        var employeeEmployer = tables["employees"].ToDictionary(row => (int)row[0]!, row => (int)row[1]!);
        Assert.All(tables["contracts"], contract =>
        {
            Assert.Equal(employeeEmployer[(int)contract[2]!], (int)contract[3]!);
            Assert.True((DateOnly)contract[6]! < (DateOnly)contract[7]!);
            Assert.Contains((string)contract[13]!, new[] { "active", "ended", "cancelled" });
        });
        Assert.All(tables["installments"], installment =>
        {
            Assert.Equal((decimal)installment[3]!, (decimal)installment[4]! + (decimal)installment[5]!);
            Assert.Equal((decimal)installment[3]!, (decimal)installment[6]! + (decimal)installment[7]!);
            Assert.True((DateOnly)installment[2]! <= generator.ReferenceMonth);
            Assert.Equal(installment[8] is "paid", installment[9] is not null);
        });
        Assert.Equal(tables["installments"].Count, tables["installments"].Select(row => (long)row[0]!).Distinct().Count());
    }

    [Fact]
    public async Task Migrations_apply_once_and_are_idempotent()
    {
        var factory = new DbConnectionFactory(
            Options.Create(new DatabaseOptions { ConnectionString = $"Data Source={Path.Combine(_folder, "m.db")}" }),
            new TestEnvironment(_folder));
        var runner = new MigrationRunner(factory, NullLogger<MigrationRunner>.Instance);

        Assert.Equal(MigrationRunner.LoadScripts().Count, await runner.MigrateAsync());
        Assert.Equal(0, await runner.MigrateAsync());

        await using var connection = await factory.OpenAsync();
        var tables = (await connection.QueryAsync<string>("SELECT name FROM sqlite_master WHERE type = 'table'")).ToHashSet();
        Assert.Superset(
            new HashSet<string> { "employers", "employees", "dealers", "bikes", "contracts", "installments", "partners", "partner_employers", "report_runs", "report_run_events", "schema_migrations" },
            tables);
    }

    [Fact]
    public async Task A_key_file_path_stored_before_migration_6_becomes_the_private_key_reference()
    {
        var factory = new DbConnectionFactory(
            Options.Create(new DatabaseOptions { ConnectionString = $"Data Source={Path.Combine(_folder, "m6.db")}" }),
            new TestEnvironment(_folder));
        await using (var connection = await factory.OpenAsync())
        {
            // The schema as it was before 0006, with a partner delivering by a key file on this machine.
            await connection.ExecuteAsync("CREATE TABLE schema_migrations (version INT NOT NULL PRIMARY KEY, name VARCHAR(200) NOT NULL, applied_at VARCHAR(40) NOT NULL)");
            foreach (var (version, name, sql) in MigrationRunner.LoadScripts().Where(script => script.Version < 6))
            {
                foreach (var statement in MigrationRunner.SplitStatements(sql))
                {
                    await connection.ExecuteAsync(statement);
                }

                await connection.ExecuteAsync("INSERT INTO schema_migrations VALUES (@version, @name, 'before')", new { version, name });
            }

            await connection.ExecuteAsync(
                """
                INSERT INTO partners (id, name, client_id, active, created_at, delivery_kind, remote_directory, sftp_host, sftp_port, sftp_user, sftp_host_key, sftp_private_key_path)
                VALUES (40, 'Legacy', 'legacy', 1, '2026-01-01', 'Sftp', '/in', 'sftp.partner.example', 22, 'reports', 'ssh-ed25519 AAAA', '/etc/reportingapi/keys/partner-40')
                """);
        }

        Assert.Equal(MigrationRunner.LoadScripts().Count(script => script.Version >= 6), await new MigrationRunner(factory, NullLogger<MigrationRunner>.Instance).MigrateAsync());

        await using var migrated = await factory.OpenAsync();
        var row = await migrated.QuerySingleAsync<(string? Key, string? Passphrase, string? Password)>(
            "SELECT sftp_private_key_secret, sftp_passphrase_secret, sftp_password_secret FROM partners WHERE id = 40");
        Assert.Equal(("/etc/reportingapi/keys/partner-40", null, null), row);
        var columns = (await migrated.QueryAsync<string>("SELECT name FROM pragma_table_info('partners')")).ToList();
        Assert.DoesNotContain("sftp_private_key_path", columns);
    }

    [Fact]
    public void Migration_scripts_split_into_statements_without_comments()
    {
        var statements = MigrationRunner.SplitStatements("-- a comment; with a semicolon\nCREATE TABLE a (x INT);\n\nCREATE INDEX i ON a (x);\n").ToList();
        Assert.Equal(["CREATE TABLE a (x INT)", "CREATE INDEX i ON a (x)"], statements);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private sealed class TestEnvironment(string root) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Test";

        public string ApplicationName { get; set; } = "ReportingApi";

        public string ContentRootPath { get; set; } = root;

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = null!;
    }
}

public sealed class ReportQueryTests
{
    [Fact]
    public void Every_report_starts_from_the_partners_employers_and_only_MySql_leaves_the_later_keys_to_index_order()
    {
        foreach (var report in ReportingApi.Reports.ReportCatalog.All)
        {
            var request = new ReportingApi.Reports.ReportRequest(report, ReportingApi.Reports.ReportFormat.Csv, new DateOnly(2026, 1, 1), new DateOnly(2026, 1, 31), new Dictionary<string, string>());
            var mySql = ReportingApi.Reports.ReportReader.BuildQuery(request, 7, DatabaseProvider.MySql);
            var sqlite = ReportingApi.Reports.ReportReader.BuildQuery(request, 7, DatabaseProvider.Sqlite);

            Assert.Contains("FROM partner_employers pe\n", report.Sql, StringComparison.Ordinal);
            Assert.Contains("pe.partner_id = @partnerId", report.Sql, StringComparison.Ordinal);
            Assert.StartsWith("SELECT /*! STRAIGHT_JOIN */ ", report.Sql, StringComparison.Ordinal);
            Assert.StartsWith("pe.employer_id, ", report.OrderBy, StringComparison.Ordinal);
            Assert.EndsWith("\nORDER BY pe.employer_id", mySql.Sql, StringComparison.Ordinal);
            Assert.EndsWith("\nORDER BY " + report.OrderBy, sqlite.Sql, StringComparison.Ordinal);
            Assert.Equal(7, mySql["partnerId"]);
        }
    }
}
