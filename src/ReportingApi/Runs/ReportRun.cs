using ReportingApi.Problems;
using ReportingApi.Reports;

namespace ReportingApi.Runs;

/// <summary>queued → rendering → stored → sending → delivered, or → failed with a reason.</summary>
public enum RunStatus
{
    Queued,
    Rendering,
    Stored,
    Sending,
    Delivered,
    Failed,
}

public static class RunStatuses
{
    public static string Name(RunStatus status) => status.ToString().ToLowerInvariant();

    public static RunStatus Parse(string name) => Enum.Parse<RunStatus>(name, ignoreCase: true);

    public static bool TryParse(string? name, out RunStatus status) => EnumNames.TryParse(name, out status);

    public static bool IsFinished(RunStatus status) => status is RunStatus.Delivered or RunStatus.Failed;
}

/// <summary>A report run as stored: what was asked, by whom, and how far it got.</summary>
public sealed class ReportRun
{
    public string Id { get; set; } = "";

    public int PartnerId { get; set; }

    public string ClientId { get; set; } = "";

    public string? SourceIp { get; set; }

    public string? IdempotencyKey { get; set; }

    /// <summary>SHA-256 of the canonical request; the same idempotency key with another request is refused.</summary>
    public string RequestHash { get; set; } = "";

    public string Report { get; set; } = "";

    public string Format { get; set; } = "";

    public DateTime PeriodFrom { get; set; }

    public DateTime PeriodTo { get; set; }

    /// <summary>The filters as JSON, e.g. <c>{"status":"active"}</c>.</summary>
    public string Filters { get; set; } = "{}";

    public bool Armored { get; set; }

    public string Status { get; set; } = RunStatuses.Name(RunStatus.Queued);

    public int Attempts { get; set; }

    public DateTime? NextAttemptAt { get; set; }

    public string? FailureReason { get; set; }

    public long? RowCount { get; set; }

    public long? ByteCount { get; set; }

    public string? Sha256 { get; set; }

    public string? ObjectKey { get; set; }

    public string? FileName { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }

    public DateTime? RenderingAt { get; set; }

    public DateTime? StoredAt { get; set; }

    public DateTime? SendingAt { get; set; }

    public DateTime? DeliveredAt { get; set; }

    public DateTime? FailedAt { get; set; }

    /// <summary>An object in the store whose file this run delivers (a file dropped in the partner's drop folder); null: the run renders a report.</summary>
    public string? SourceObjectKey { get; set; }

    /// <summary>The subscription whose slot this run is, or null for a run requested directly.</summary>
    public string? SubscriptionId { get; set; }

    /// <summary>The slot's instant (UTC) when the run is a subscription's.</summary>
    public DateTime? SlotAt { get; set; }

    /// <summary>The key of the work a handed-over delivery awaits events of (a connector transfer), while one is pending.</summary>
    public string? HandoverKey { get; set; }

    /// <summary>The key of the step a handed-over delivery awaits within that work (a connector rename), if any.</summary>
    public string? HandoverStepKey { get; set; }

    /// <summary>A pending handed-over delivery's own state (JSON, the delivery's), or null.</summary>
    public string? HandoverState { get; set; }

    /// <summary>An operator started the run on the partner's behalf; <see cref="ClientId"/> is then the operator's client.</summary>
    public bool RequestedByOperator { get; set; }

    public RunStatus State => RunStatuses.Parse(Status);

    public string ChecksumObjectKey => ObjectKey + ".sha256";

    /// <summary>A new queued run of a validated report request: the one way both the API and the subscription scheduler make one.</summary>
    public static ReportRun ForReport(ReportRequest request, bool armored, int partnerId, string clientId, string? idempotencyKey) => new()
    {
        Id = NewId(),
        PartnerId = partnerId,
        ClientId = clientId,
        IdempotencyKey = idempotencyKey,
        RequestHash = CreateReportRunRequest.Hash(request, armored),
        Report = request.Report.Id,
        Format = ReportFormats.Name(request.Format),
        PeriodFrom = request.From.ToDateTime(TimeOnly.MinValue),
        PeriodTo = request.To.ToDateTime(TimeOnly.MinValue),
        Filters = CreateReportRunRequest.FiltersJson(request),
        Armored = armored,
        Status = RunStatuses.Name(RunStatus.Queued),
    };

    // Version 7 GUIDs sort by creation time, which keeps the index and the listing order tidy.
    public static string NewId() => "run_" + Guid.CreateVersion7().ToString("N");
}

/// <summary>One recorded step of a run.</summary>
public sealed class ReportRunEvent
{
    public string RunId { get; set; } = "";

    public string Status { get; set; } = "";

    public string? Detail { get; set; }

    public DateTime At { get; set; }
}
