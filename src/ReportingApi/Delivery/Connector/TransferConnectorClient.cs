using Amazon.Runtime;
using Microsoft.Extensions.Options;
using ReportingApi.Aws;
using ReportingApi.Aws.Transfer;

namespace ReportingApi.Delivery.Connector;

/// <summary>
/// The AWS Transfer Family connector operations this service needs, through <see cref="TransferApi"/> (SigV4-signed
/// JSON 1.1; throttling and unavailability retried; other errors surface at once as <see cref="TransferServiceException"/>).
/// </summary>
public sealed class TransferConnectorClient : IDisposable
{
    /// <summary>StartFileTransfer accepts at most this many paths per call.</summary>
    public const int MaxFilesPerTransfer = 10;

    private readonly TransferApi _api;

    /// <summary>Uses the default AWS credential chain.</summary>
    public TransferConnectorClient(IOptions<TransferOptions> options, ILogger<TransferConnectorClient> logger)
        : this(options.Value, new DefaultChainCredentials(), logger)
    {
    }

    /// <param name="credentials">Credentials to sign with; asked for on every request, so refreshing credentials work.</param>
    /// <param name="transport">The handler below the signer (tests); by default a pooled <see cref="SocketsHttpHandler"/>.</param>
    public TransferConnectorClient(TransferOptions options, AWSCredentials credentials, ILogger<TransferConnectorClient> logger, HttpMessageHandler? transport = null) =>
        _api = new TransferApi(options, credentials, logger, transport);

    /// <summary>The API endpoint requests go to (null while no region is known).</summary>
    public Uri? Endpoint => _api.Endpoint;

    /// <summary>
    /// Starts sending <paramref name="sendFilePaths"/> (<c>/bucket/key</c>) to <paramref name="remoteDirectoryPath"/> on the
    /// partner's server, in calls of at most <see cref="MaxFilesPerTransfer"/> paths, in the order given.
    /// </summary>
    public async Task<IReadOnlyList<StartedFileTransfer>> StartFileTransferAsync(
        string connectorId, IReadOnlyList<string> sendFilePaths, string remoteDirectoryPath, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectorId);
        ArgumentOutOfRangeException.ThrowIfZero(sendFilePaths.Count);
        var started = new List<StartedFileTransfer>();
        foreach (var batch in sendFilePaths.Chunk(MaxFilesPerTransfer))
        {
            var response = await _api.InvokeAsync(
                "StartFileTransfer",
                new StartFileTransferRequest(connectorId, batch, remoteDirectoryPath),
                TransferJsonContext.Default.StartFileTransferRequest,
                TransferJsonContext.Default.StartFileTransferResponse,
                cancellationToken);
            started.Add(new StartedFileTransfer(TransferApi.Require(response.TransferId, "StartFileTransfer", "TransferId"), batch));
        }

        return started;
    }

    /// <summary>One page of the per-file results of a transfer.</summary>
    public async Task<FileTransferResultsPage> ListFileTransferResultsAsync(
        string connectorId, string transferId, string? nextToken, int? maxResults, CancellationToken cancellationToken)
    {
        var response = await _api.InvokeAsync(
            "ListFileTransferResults",
            new ListFileTransferResultsRequest(connectorId, transferId, nextToken, maxResults),
            TransferJsonContext.Default.ListFileTransferResultsRequest,
            TransferJsonContext.Default.ListFileTransferResultsResponse,
            cancellationToken);
        return new FileTransferResultsPage(response.FileTransferResults ?? [], string.IsNullOrEmpty(response.NextToken) ? null : response.NextToken);
    }

    /// <summary>Every per-file result of a transfer, following <c>NextToken</c> (a transfer has at most 10 files).</summary>
    public async Task<IReadOnlyList<ConnectorFileTransferResult>> ListAllFileTransferResultsAsync(
        string connectorId, string transferId, CancellationToken cancellationToken)
    {
        var results = new List<ConnectorFileTransferResult>();
        string? nextToken = null;
        do
        {
            var page = await ListFileTransferResultsAsync(connectorId, transferId, nextToken, null, cancellationToken);
            results.AddRange(page.FileTransferResults);
            nextToken = page.NextToken;
        }
        while (nextToken is not null);

        return results;
    }

    /// <summary>Starts a rename on the partner's server; returns the MoveId. Completion is reported by EventBridge.</summary>
    public async Task<string> StartRemoteMoveAsync(string connectorId, string sourcePath, string targetPath, CancellationToken cancellationToken)
    {
        var response = await _api.InvokeAsync(
            "StartRemoteMove",
            new StartRemoteMoveRequest(connectorId, sourcePath, targetPath),
            TransferJsonContext.Default.StartRemoteMoveRequest,
            TransferJsonContext.Default.StartRemoteMoveResponse,
            cancellationToken);
        return TransferApi.Require(response.MoveId, "StartRemoteMove", "MoveId");
    }

    /// <summary>Asks the connector to log in to the partner's server; a failed login is a result (<c>ERROR</c>), not an exception.</summary>
    public Task<ConnectionTestResult> TestConnectionAsync(string connectorId, CancellationToken cancellationToken) =>
        _api.InvokeAsync(
            "TestConnection",
            new ConnectorIdRequest(connectorId),
            TransferJsonContext.Default.ConnectorIdRequest,
            TransferJsonContext.Default.ConnectionTestResult,
            cancellationToken);

    public void Dispose() => _api.Dispose();
}
