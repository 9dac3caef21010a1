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

/// <summary>The <c>Status</c> values of TestConnection.</summary>
public static class ConnectionTestStatuses
{
    public const string Ok = "OK";
    public const string Error = "ERROR";
}

/// <summary>One StartFileTransfer call: its id and the paths it sends (at most 10).</summary>
public sealed record StartedFileTransfer(string TransferId, IReadOnlyList<string> SendFilePaths);

/// <summary>What happened to one file of a transfer (AWS <c>ConnectorFileTransferResult</c>).</summary>
public sealed record ConnectorFileTransferResult(string FilePath, string StatusCode, string? FailureCode = null, string? FailureMessage = null);

/// <summary>One page of ListFileTransferResults.</summary>
public sealed record FileTransferResultsPage(IReadOnlyList<ConnectorFileTransferResult> FileTransferResults, string? NextToken);

/// <summary>The host key the connector saw during TestConnection.</summary>
public sealed record SftpConnectorConnectionDetails(string? HostKey);

/// <summary>The answer of TestConnection: <c>Status</c> is <c>OK</c> or <c>ERROR</c>, <c>StatusMessage</c> says why.</summary>
public sealed record ConnectionTestResult(string? ConnectorId, string Status, string? StatusMessage, SftpConnectorConnectionDetails? SftpConnectionDetails)
{
    public bool Succeeded => Status == ConnectionTestStatuses.Ok;
}

internal sealed record StartFileTransferRequest(string ConnectorId, IReadOnlyList<string> SendFilePaths, string? RemoteDirectoryPath);

internal sealed record StartFileTransferResponse(string? TransferId);

internal sealed record ListFileTransferResultsRequest(string ConnectorId, string TransferId, string? NextToken, int? MaxResults);

internal sealed record ListFileTransferResultsResponse(IReadOnlyList<ConnectorFileTransferResult>? FileTransferResults, string? NextToken);

internal sealed record StartRemoteMoveRequest(string ConnectorId, string SourcePath, string TargetPath);

internal sealed record StartRemoteMoveResponse(string? MoveId);

internal sealed record ConnectorIdRequest(string ConnectorId);

/// <summary>Request and response bodies use AWS's PascalCase member names as declared; absent members are not sent.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StartFileTransferRequest))]
[JsonSerializable(typeof(StartFileTransferResponse))]
[JsonSerializable(typeof(ListFileTransferResultsRequest))]
[JsonSerializable(typeof(ListFileTransferResultsResponse))]
[JsonSerializable(typeof(StartRemoteMoveRequest))]
[JsonSerializable(typeof(StartRemoteMoveResponse))]
[JsonSerializable(typeof(ConnectorIdRequest))]
[JsonSerializable(typeof(ConnectionTestResult))]
internal sealed partial class TransferJsonContext : JsonSerializerContext;
