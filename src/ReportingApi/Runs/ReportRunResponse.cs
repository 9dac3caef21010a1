using System.Text.Json;

namespace ReportingApi.Runs;

/// <summary>A report run as the API shows it: what was asked, how far it got, and every step with its time.</summary>
/// <param name="Status">queued, rendering, stored, sending, delivered or failed.</param>
/// <param name="FailureReason">Why the run failed (or why the last attempt failed, while it is retried).</param>
/// <param name="FileName">Name of the encrypted file on your SFTP server.</param>
/// <param name="Sha256">SHA-256 of the encrypted file, as in the .sha256 file beside it.</param>
/// <param name="Steps">Every recorded step, oldest first.</param>
/// <param name="SubscriptionId">The subscription whose slot this run is; null for a run you requested.</param>
/// <param name="Slot">That slot's instant in UTC (the run's idempotency key is schedule:{subscriptionId}:{slot}).</param>
public sealed record ReportRunResponse(
    string Id,
    string Report,
    string Format,
    string From,
    string To,
    IReadOnlyDictionary<string, string> Filters,
    bool Armored,
    string Status,
    int Attempts,
    DateTime? NextAttemptAt,
    string? FailureReason,
    long? Rows,
    long? Bytes,
    string? Sha256,
    string? FileName,
    RunRequester RequestedBy,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    DateTime? DeliveredAt,
    IReadOnlyList<RunStep>? Steps,
    string? SubscriptionId,
    DateTime? Slot,
    RunLinks Links)
{
    public static ReportRunResponse Create(ReportRun run, IReadOnlyList<ReportRunEvent>? events) => new(
        run.Id,
        run.Report,
        run.Format,
        run.PeriodFrom.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        run.PeriodTo.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        JsonSerializer.Deserialize<Dictionary<string, string>>(run.Filters) ?? [],
        run.Armored,
        run.Status,
        run.Attempts,
        Utc(run.NextAttemptAt),
        run.FailureReason,
        run.RowCount,
        run.ByteCount,
        run.Sha256,
        run.FileName,
        new RunRequester(run.ClientId, run.SourceIp),
        Utc(run.CreatedAt)!.Value,
        Utc(run.UpdatedAt)!.Value,
        Utc(run.DeliveredAt),
        events?.Select(e => new RunStep(e.Status, Utc(e.At)!.Value, e.Detail)).ToList(),
        run.SubscriptionId,
        Utc(run.SlotAt),
        new RunLinks($"/v1/report-runs/{run.Id}", run.StoredAt is null ? null : $"/v1/report-runs/{run.Id}/file"));

    // Stored as UTC without a kind (DATETIME has none); say so on the way out.
    private static DateTime? Utc(DateTime? value) => value is { } v ? DateTime.SpecifyKind(v, DateTimeKind.Utc) : null;
}

/// <summary>Who asked for the run: the OAuth2 client and the address it called from.</summary>
public sealed record RunRequester(string ClientId, string? SourceIp);

public sealed record RunStep(string Status, DateTime At, string? Detail);

/// <param name="File">Download of the encrypted file, once it is stored.</param>
public sealed record RunLinks(string Self, string? File);

/// <summary>One page of runs, newest first.</summary>
/// <param name="NextPage">The next page's number, or null on the last page.</param>
public sealed record ReportRunPage(IReadOnlyList<ReportRunResponse> Items, int Page, int PageSize, int? NextPage);
