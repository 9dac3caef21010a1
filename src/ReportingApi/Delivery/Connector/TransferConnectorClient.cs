using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Amazon.Runtime;
using Microsoft.Extensions.Options;
using ReportingApi.Aws;

namespace ReportingApi.Delivery.Connector;

/// <summary>
/// The AWS Transfer Family connector operations this service needs, over HTTPS with JSON 1.1 bodies signed with
/// SigV4 (the AWSSDK.Transfer package is not available here). Throttling and unavailability are retried with
/// exponential backoff and full jitter; other errors surface at once as <see cref="TransferServiceException"/>.
/// </summary>
public sealed class TransferConnectorClient : IDisposable
{
    /// <summary>StartFileTransfer accepts at most this many paths per call.</summary>
    public const int MaxFilesPerTransfer = 10;

    private const string SigningService = "transfer";
    private const string TargetPrefix = "TransferService.";

    private readonly TransferOptions _options;
    private readonly ILogger<TransferConnectorClient> _logger;
    private readonly Lazy<HttpClient> _http;
    private readonly Uri? _endpoint;

    /// <summary>Uses the default AWS credential chain.</summary>
    public TransferConnectorClient(IOptions<TransferOptions> options, ILogger<TransferConnectorClient> logger)
        : this(options.Value, new DefaultChainCredentials(), logger)
    {
    }

    /// <param name="credentials">Credentials to sign with; asked for on every request, so refreshing credentials work.</param>
    /// <param name="transport">The handler below the signer (tests); by default a pooled <see cref="SocketsHttpHandler"/>.</param>
    public TransferConnectorClient(TransferOptions options, AWSCredentials credentials, ILogger<TransferConnectorClient> logger, HttpMessageHandler? transport = null)
    {
        _options = options;
        _logger = logger;
        var region = AwsJsonService.ResolveRegion(options.Region);
        if (region is not null)
        {
            _endpoint = AwsJsonService.ResolveEndpoint(SigningService, region, options.ServiceUrl);
            _http = new Lazy<HttpClient>(() => AwsJsonService.CreateSigningClient(credentials, region, SigningService, options.RequestTimeout, transport));
        }
        else
        {
            _http = new Lazy<HttpClient>(() => throw new TransferServiceException(
                "MissingRegion", 0, $"No AWS region for Transfer Family: set {TransferOptions.Section}:Region or AWS_REGION."));
        }
    }

    /// <summary>The API endpoint requests go to (null while no region is known).</summary>
    public Uri? Endpoint => _endpoint;

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
            var response = await InvokeAsync(
                "StartFileTransfer",
                new StartFileTransferRequest(connectorId, batch, remoteDirectoryPath),
                TransferJsonContext.Default.StartFileTransferRequest,
                TransferJsonContext.Default.StartFileTransferResponse,
                cancellationToken);
            started.Add(new StartedFileTransfer(Require(response.TransferId, "StartFileTransfer", "TransferId"), batch));
        }

        return started;
    }

    /// <summary>One page of the per-file results of a transfer.</summary>
    public async Task<FileTransferResultsPage> ListFileTransferResultsAsync(
        string connectorId, string transferId, string? nextToken, int? maxResults, CancellationToken cancellationToken)
    {
        var response = await InvokeAsync(
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
        var response = await InvokeAsync(
            "StartRemoteMove",
            new StartRemoteMoveRequest(connectorId, sourcePath, targetPath),
            TransferJsonContext.Default.StartRemoteMoveRequest,
            TransferJsonContext.Default.StartRemoteMoveResponse,
            cancellationToken);
        return Require(response.MoveId, "StartRemoteMove", "MoveId");
    }

    public void Dispose()
    {
        if (_http.IsValueCreated)
        {
            _http.Value.Dispose();
        }
    }

    private async Task<TResponse> InvokeAsync<TRequest, TResponse>(
        string operation,
        TRequest request,
        JsonTypeInfo<TRequest> requestType,
        JsonTypeInfo<TResponse> responseType,
        CancellationToken cancellationToken)
    {
        // Request bodies are a few hundred bytes; serializing once lets every retry send the same bytes.
        var body = JsonSerializer.SerializeToUtf8Bytes(request, requestType);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await SendOnceAsync(operation, body, responseType, cancellationToken);
            }
            catch (TransferServiceException e) when (e.IsRetryable && attempt < _options.MaxAttempts)
            {
                var delay = RetryDelay(attempt);
                _logger.LogWarning(
                    "Transfer Family {Operation} failed with {ErrorType} (attempt {Attempt} of {MaxAttempts}); retrying in {DelayMs} ms",
                    operation, e.ErrorType, attempt, _options.MaxAttempts, (int)delay.TotalMilliseconds);
                await Task.Delay(delay, cancellationToken);
            }
        }
    }

    private async Task<TResponse> SendOnceAsync<TResponse>(string operation, byte[] body, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        var http = _http.Value;
        using var message = AwsJsonService.CreateRequest(_endpoint!, TargetPrefix + operation, body);

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new TransferServiceUnavailableException("NetworkError", 0, $"Transfer Family {operation} failed: {e.Message}", e);
        }
        catch (AmazonClientException e)
        {
            // The signer could not get credentials from the default chain; nothing was sent.
            throw new TransferServiceException("MissingCredentials", 0, $"Transfer Family {operation} could not be signed: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TransferServiceUnavailableException(
                "RequestTimeout", 0, $"Transfer Family {operation} got no answer within {_options.RequestTimeout.TotalSeconds:0} s.", e);
        }

        using (response)
        {
            var content = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw ToException(operation, response, content);
            }

            try
            {
                return JsonSerializer.Deserialize(content, responseType) ?? throw InvalidResponse(operation, "body");
            }
            catch (JsonException e)
            {
                throw new TransferServiceException("InvalidResponse", (int)response.StatusCode, $"Transfer Family {operation} returned a body that is not the expected JSON.", e);
            }
        }
    }

    private static TransferServiceException ToException(string operation, HttpResponseMessage response, byte[] content)
    {
        var (errorType, message) = AwsJsonService.ReadError(response, content);
        return TransferServiceException.For(operation, errorType, (int)response.StatusCode, message);
    }

    private TimeSpan RetryDelay(int attempt)
    {
        var ceiling = Math.Min(_options.RetryMaxDelay.TotalMilliseconds, _options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1));
#pragma warning disable CA5394 // Jitter spreads retries of many callers; it is not security-relevant.
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling);
#pragma warning restore CA5394
    }

    private static string Require(string? value, string operation, string member) =>
        string.IsNullOrEmpty(value) ? throw InvalidResponse(operation, member) : value;

    private static TransferServiceException InvalidResponse(string operation, string member) =>
        new("InvalidResponse", (int)HttpStatusCode.OK, $"Transfer Family {operation} returned no {member}.");
}
