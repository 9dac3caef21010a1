using System.Globalization;
using System.Text;
using Dapper;
using ReportingApi.Data;

namespace ReportingApi.Runs;

/// <summary>Which runs to list. Every field narrows the list; null leaves it open.</summary>
/// <param name="From">Runs created at or after this time (UTC).</param>
/// <param name="To">Runs created before this time (UTC).</param>
public sealed record RunFilter(int? PartnerId = null, RunStatus? Status = null, string? Report = null, string? SubscriptionId = null, DateTime? From = null, DateTime? To = null);

/// <summary>
/// Where a page of runs starts: just after the run with this creation time and id, in the listing order (newest first).
/// Given to clients as an opaque text, so the order's columns can change without breaking them.
/// </summary>
public readonly record struct RunCursor(DateTime CreatedAt, string Id)
{
    public static RunCursor After(ReportRun run) => new(run.CreatedAt, run.Id);

    public string Encode() =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{CreatedAt.Ticks.ToString(CultureInfo.InvariantCulture)}|{Id}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static bool TryDecode(string text, out RunCursor cursor)
    {
        cursor = default;
        var base64 = text.Replace('-', '+').Replace('_', '/');
        var buffer = new byte[text.Length];
        if (!Convert.TryFromBase64String(base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '='), buffer, out var length))
        {
            return false;
        }

        var parts = Encoding.UTF8.GetString(buffer, 0, length).Split('|', 2);
        if (parts.Length != 2 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            || ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks || !parts[1].StartsWith("run_", StringComparison.Ordinal))
        {
            return false;
        }

        cursor = new RunCursor(new DateTime(ticks, DateTimeKind.Utc), parts[1]);
        return true;
    }
}

/// <summary>
/// Lists runs newest first (by creation time, then id), for one partner or across partners, and counts them per status.
/// Pages are keyset pages: each starts after the last run of the one before, so runs created meanwhile neither shift nor
/// repeat rows, and a deep page costs what the first does (indexes <c>(partner_id, created_at)</c> and
/// <c>(created_at, id)</c>, migrations 0002 and 0010).
/// </summary>
public sealed class RunListing(DbConnectionFactory connections)
{
    /// <summary>Up to <paramref name="take"/> + 1 runs after <paramref name="after"/>: one more than asked tells whether a next page exists.</summary>
    public async Task<IReadOnlyList<ReportRun>> PageAsync(RunFilter filter, RunCursor? after, int take, CancellationToken cancellationToken)
    {
        var (where, parameters) = Where(filter, includeStatus: true);
        if (after is { } cursor)
        {
            where.Add("(created_at < @cursorAt OR (created_at = @cursorAt AND id < @cursorId))");
            parameters.Add("cursorAt", cursor.CreatedAt);
            parameters.Add("cursorId", cursor.Id);
        }

        parameters.Add("take", take + 1);
        await using var connection = await connections.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<ReportRun>(
            $"SELECT {RunStore.Columns} FROM report_runs {WhereClause(where)} ORDER BY created_at DESC, id DESC LIMIT @take",
            parameters)).ToList();
    }

    /// <summary>Numbered pages (deprecated: kept for clients of the first version); <paramref name="pageSize"/> + 1 are read.</summary>
    public async Task<IReadOnlyList<ReportRun>> NumberedPageAsync(RunFilter filter, int page, int pageSize, CancellationToken cancellationToken)
    {
        var (where, parameters) = Where(filter, includeStatus: true);
        parameters.Add("take", pageSize + 1);
        parameters.Add("skip", (page - 1) * pageSize);
        await using var connection = await connections.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<ReportRun>(
            $"SELECT {RunStore.Columns} FROM report_runs {WhereClause(where)} ORDER BY created_at DESC, id DESC LIMIT @take OFFSET @skip",
            parameters)).ToList();
    }

    /// <summary>How many runs the filter's partner, report and time range hold in each status (the status filter aside), every status listed.</summary>
    public async Task<IReadOnlyDictionary<string, long>> TotalsAsync(RunFilter filter, CancellationToken cancellationToken)
    {
        var (where, parameters) = Where(filter, includeStatus: false);
        await using var connection = await connections.OpenAsync(cancellationToken);
        var counts = (await connection.QueryAsync<(string Status, long Count)>(
            $"SELECT status, COUNT(*) FROM report_runs {WhereClause(where)} GROUP BY status", parameters)).ToDictionary(row => row.Status, row => row.Count);
        return Enum.GetValues<RunStatus>().Select(RunStatuses.Name).ToDictionary(name => name, name => counts.GetValueOrDefault(name));
    }

    // Only the conditions asked for, so each query is one the database can answer from an index.
    private static (List<string> Where, DynamicParameters Parameters) Where(RunFilter filter, bool includeStatus)
    {
        var where = new List<string>();
        var parameters = new DynamicParameters();
        void Add(string condition, string name, object value)
        {
            where.Add(condition);
            parameters.Add(name, value);
        }

        if (filter.PartnerId is { } partnerId)
        {
            Add("partner_id = @partnerId", "partnerId", partnerId);
        }

        if (includeStatus && filter.Status is { } status)
        {
            Add("status = @status", "status", RunStatuses.Name(status));
        }

        if (filter.Report is { } report)
        {
            Add("report = @report", "report", report);
        }

        if (filter.SubscriptionId is { } subscriptionId)
        {
            Add("subscription_id = @subscriptionId", "subscriptionId", subscriptionId);
        }

        if (filter.From is { } from)
        {
            Add("created_at >= @from", "from", from);
        }

        if (filter.To is { } to)
        {
            Add("created_at < @to", "to", to);
        }

        return (where, parameters);
    }

    private static string WhereClause(List<string> conditions) => conditions.Count == 0 ? "" : "WHERE " + string.Join(" AND ", conditions);
}
