using System.Text.Json.Serialization;

namespace ReportingApi.Delivery.Connector;

/// <summary>The <c>StatusCode</c> values of a connector file transfer result.</summary>
public static class FileTransferStatusCodes
{
    public const string Queued = "QUEUED";
    public const string InProgress = "IN_PROGRESS";
    public const string Completed = "COMPLETED";
    public const string Failed = "FAILED";
}

/// <summary>One StartFileTransfer call: its id and the paths it sends (at most 10).</summary>
public sealed record StartedFileTransfer(string TransferId, IReadOnlyList<string> SendFilePaths);

/// <summary>What happened to one file of a transfer (AWS <c>ConnectorFileTransferResult</c>).</summary>
public sealed record ConnectorFileTransferResult(string FilePath, string StatusCode, string? FailureCode = null, string? FailureMessage = null);

/// <summary>One page of ListFileTransferResults.</summary>
public sealed record FileTransferResultsPage(IReadOnlyList<ConnectorFileTransferResult> FileTransferResults, string? NextToken);

internal sealed record StartFileTransferRequest(string ConnectorId, IReadOnlyList<string> SendFilePaths, string? RemoteDirectoryPath);

internal sealed record StartFileTransferResponse(string? TransferId);

internal sealed record ListFileTransferResultsRequest(string ConnectorId, string TransferId, string? NextToken, int? MaxResults);

internal sealed record ListFileTransferResultsResponse(IReadOnlyList<ConnectorFileTransferResult>? FileTransferResults, string? NextToken);

internal sealed record StartRemoteMoveRequest(string ConnectorId, string SourcePath, string TargetPath);

internal sealed record StartRemoteMoveResponse(string? MoveId);

/// <summary>Request and response bodies use AWS's PascalCase member names as declared; absent members are not sent.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StartFileTransferRequest))]
[JsonSerializable(typeof(StartFileTransferResponse))]
[JsonSerializable(typeof(ListFileTransferResultsRequest))]
[JsonSerializable(typeof(ListFileTransferResultsResponse))]
[JsonSerializable(typeof(StartRemoteMoveRequest))]
[JsonSerializable(typeof(StartRemoteMoveResponse))]
internal sealed partial class TransferJsonContext : JsonSerializerContext;
