using System.Text.Json;

namespace ReportingApi.Delivery.Connector;

/// <summary>The Transfer Family connector events a delivery waits for.</summary>
public enum ConnectorEventKind
{
    SendCompleted,
    SendFailed,
    MoveCompleted,
    MoveFailed,
}

/// <summary>What became of a connector event.</summary>
public enum ConnectorEventOutcome
{
    /// <summary>No run waits for it: another connector's transfer, a duplicate, or a late event of a step already taken.</summary>
    NoRunWaiting,

    /// <summary>Recorded; the run still waits for other files of its transfer.</summary>
    Waiting,

    /// <summary>The run moved on: renaming started, the next rename started, or delivered.</summary>
    Advanced,

    /// <summary>The attempt failed; the run is retried later or failed with the reason.</summary>
    Failed,
}

/// <summary>
/// A Transfer Family SFTP connector event (EventBridge <c>source</c> <c>aws.transfer</c>), reduced to what a run needs.
/// Send events carry <c>transfer-id</c> and <c>file-path</c>; Remote Move events carry <c>move-id</c> and
/// <c>move-source-path</c>.
/// </summary>
public sealed record ConnectorEvent(
    ConnectorEventKind Kind,
    string ConnectorId,
    string? TransferId,
    string? FilePath,
    string? MoveId,
    string? MoveSourcePath,
    string? FailureCode,
    string? FailureMessage)
{
    public const string Source = "aws.transfer";

    public const string SendCompletedType = "SFTP Connector File Send Completed";
    public const string SendFailedType = "SFTP Connector File Send Failed";
    public const string MoveCompletedType = "SFTP Connector Remote Move Completed";
    public const string MoveFailedType = "SFTP Connector Remote Move Failed";

    /// <summary>Reads the event, or returns null for a detail type deliveries do not wait for (retrieves, listings).</summary>
    /// <exception cref="JsonException">The detail lacks the fields its type must have.</exception>
    public static ConnectorEvent? TryRead(string detailType, JsonElement detail)
    {
        ConnectorEventKind? kind = detailType switch
        {
            SendCompletedType => ConnectorEventKind.SendCompleted,
            SendFailedType => ConnectorEventKind.SendFailed,
            MoveCompletedType => ConnectorEventKind.MoveCompleted,
            MoveFailedType => ConnectorEventKind.MoveFailed,
            _ => null,
        };
        if (kind is not { } known)
        {
            return null;
        }

        var connectorEvent = new ConnectorEvent(
            known,
            Text(detail, "connector-id") ?? throw new JsonException($"The '{detailType}' event has no detail.connector-id."),
            Text(detail, "transfer-id"),
            Text(detail, "file-path"),
            Text(detail, "move-id"),
            Text(detail, "move-source-path"),
            Text(detail, "failure-code"),
            Text(detail, "failure-message"));
        var missing = known is ConnectorEventKind.SendCompleted or ConnectorEventKind.SendFailed
            ? connectorEvent.TransferId is null ? "transfer-id" : null
            : connectorEvent.MoveSourcePath is null ? "move-source-path" : null;
        return missing is null ? connectorEvent : throw new JsonException($"The '{detailType}' event has no detail.{missing}.");
    }

    private static string? Text(JsonElement detail, string name) =>
        detail.ValueKind == JsonValueKind.Object && detail.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
