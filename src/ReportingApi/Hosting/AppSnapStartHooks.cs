using System.Data;
using Dapper;
using Lambda.Hosting.SnapStart;
using ReportingApi.Aws;
using ReportingApi.Data;
using ReportingApi.Partners;
using ReportingApi.Pgp;
using ReportingApi.Reports;
using ReportingApi.Reports.Rendering;
using ReportingApi.Secrets;

namespace ReportingApi.Hosting;

/// <summary>
/// The app's SnapStart hooks. Before the snapshot: pay now what the first request would pay (a database connection and
/// the password secret behind it, the partner registry, the company key, JIT of the renderers), then close the pooled
/// connections so none is kept in the snapshot. After a restore: nothing from the snapshotting environment is reused
/// (pooled connections, cached secrets, resolved AWS credentials, cached partners).
/// </summary>
public sealed class AppSnapStartHooks(
    DbConnectionFactory connections,
    PartnerStore partners,
    PartnerRegistry registry,
    CompanySigningKey companyKey,
    ReportRenderers renderers,
    ISecretSource secrets,
    SnapStartWarmedPartners warmedPartners,
    ILogger<AppSnapStartHooks> logger) : ILambdaSnapStartHooks
{
    /// <summary>Enough for every partner of a B2B service; a longer list is warmed in part, not at length.</summary>
    public const int MaxPartnersWarmed = 200;

    /// <summary>One column of each type, so that every renderer's code path for each type is compiled.</summary>
    internal static readonly ReportDefinition WarmUpReport = new(
        "snapstart-warm-up", "Warm-up", "Rendered before the SnapStart snapshot only.", "None.",
        [
            new("text", "Text", ColumnType.Text, "Text."),
            new("integer", "Integer", ColumnType.Integer, "Integer."),
            new("decimal", "Decimal", ColumnType.Decimal, "Decimal."),
            new("date", "Date", ColumnType.Date, "Date."),
            new("dateTime", "Date and time", ColumnType.DateTime, "Date and time."),
        ],
        [], "", "");

    public async Task BeforeSnapshotAsync(CancellationToken cancellationToken)
    {
        await using (var connection = await connections.OpenAsync(cancellationToken))
        {
            await connection.ExecuteScalarAsync<int>("SELECT 1");
        }

        logger.LogInformation("SnapStart warm-up: opened a {DatabaseProvider} database connection and closed it.", connections.Provider);

        var clientIds = (await partners.ListAsync(cancellationToken))
            .Where(partner => partner.Settings.Active)
            .Select(partner => partner.ClientId)
            .Take(MaxPartnersWarmed)
            .ToList();
        foreach (var clientId in clientIds)
        {
            await registry.FindByClientIdAsync(clientId, cancellationToken);
        }

        warmedPartners.Remember(clientIds);
        logger.LogInformation("SnapStart warm-up: loaded {PartnerCount} active partners into the partner registry.", clientIds.Count);

        logger.LogInformation("SnapStart warm-up: the company OpenPGP key {Fingerprint} is loaded (from {SecretsProvider}).", companyKey.Key.Fingerprint, secrets.Provider);

        var formats = Enum.GetValues<ReportFormat>();
        foreach (var format in formats)
        {
            using var table = WarmUpTable();
            await using var rows = table.CreateDataReader();
            await renderers.For(format).RenderAsync(WarmUpReport, rows, Stream.Null, cancellationToken);
        }

        logger.LogInformation("SnapStart warm-up: rendered a one-row report as {Formats}.", string.Join(", ", formats.Select(ReportFormats.Name)));

        connections.ClearPools();
        logger.LogInformation("SnapStart warm-up: cleared the database connection pools, so that the snapshot holds no connection.");
    }

    public Task AfterRestoreAsync(CancellationToken cancellationToken)
    {
        connections.ClearPools();
        logger.LogInformation("SnapStart restore: cleared the database connection pools (connections in a snapshot are dead).");

        secrets.ForgetAll();
        logger.LogInformation("SnapStart restore: dropped the cached secrets ({SecretsProvider}); they are read again on next use.", secrets.Provider);

        DefaultChainCredentials.ForgetResolved();
        logger.LogInformation("SnapStart restore: dropped the resolved AWS credentials; they are resolved again on next use.");

        var forgotten = warmedPartners.TakeAll();
        foreach (var clientId in forgotten)
        {
            registry.Forget(clientId);
        }

        logger.LogInformation("SnapStart restore: dropped {PartnerCount} cached partners from the partner registry.", forgotten.Count);
        return Task.CompletedTask;
    }

    private static DataTable WarmUpTable()
    {
        var table = new DataTable { Locale = System.Globalization.CultureInfo.InvariantCulture };
        table.Columns.Add("text", typeof(string));
        table.Columns.Add("integer", typeof(long));
        table.Columns.Add("decimal", typeof(decimal));
        table.Columns.Add("date", typeof(DateTime));
        table.Columns.Add("dateTime", typeof(DateTime));
        var moment = new DateTime(2026, 1, 31, 13, 14, 15, DateTimeKind.Unspecified);
        table.Rows.Add("warm-up", 1L, 12.34m, moment.Date, moment);
        return table;
    }
}

/// <summary>
/// The partners loaded into the registry before the snapshot, kept from one hook phase to the other (each runs in a DI
/// scope of its own), so that exactly those are dropped after the restore.
/// </summary>
public sealed class SnapStartWarmedPartners
{
    private readonly Lock _gate = new();
    private List<string> _clientIds = [];

    public void Remember(IEnumerable<string> clientIds)
    {
        lock (_gate)
        {
            _clientIds.AddRange(clientIds);
        }
    }

    /// <summary>The remembered client ids, forgotten here.</summary>
    public IReadOnlyList<string> TakeAll()
    {
        lock (_gate)
        {
            var taken = _clientIds;
            _clientIds = [];
            return taken;
        }
    }
}
