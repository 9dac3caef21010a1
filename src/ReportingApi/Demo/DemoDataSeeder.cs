using System.Data.Common;
using System.Globalization;
using Dapper;

namespace ReportingApi.Demo;

/// <summary>Fills an empty database with generated contract data and the demo partners.</summary>
public static class DemoDataSeeder
{
    public static async Task<bool> IsEmptyAsync(DbConnection connection) =>
        await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM employers") == 0;

    public static async Task SeedAsync(DbConnection connection, DemoDataGenerator generator, IEnumerable<DemoPartner> partners, CancellationToken cancellationToken = default)
    {
        foreach (var table in generator.Tables())
        {
            await BulkLoader.LoadAsync(connection, table, cancellationToken);
        }

        await AddPartnersAsync(connection, partners);
    }

    public static async Task AddPartnersAsync(DbConnection connection, IEnumerable<DemoPartner> partners)
    {
        var createdAt = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        foreach (var partner in partners)
        {
            await connection.ExecuteAsync(
                "INSERT INTO partners (id, name, client_id, active, ip_allowlist, created_at) VALUES (@Id, @Name, @ClientId, 1, @IpAllowlist, @createdAt)",
                new { partner.Id, partner.Name, partner.ClientId, partner.IpAllowlist, createdAt });
            await connection.ExecuteAsync(
                "INSERT INTO partner_employers (partner_id, employer_id) VALUES (@partnerId, @employerId)",
                partner.EmployerIds.Select(employerId => new { partnerId = partner.Id, employerId }));
        }
    }
}
