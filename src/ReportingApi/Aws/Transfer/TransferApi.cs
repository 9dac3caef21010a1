using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Amazon.Runtime;

namespace ReportingApi.Aws.Transfer;

/// <summary>
/// One call of the AWS Transfer Family API as every client of it here makes it (the AWSSDK.Transfer package is not
/// available): JSON 1.1 over HTTPS, signed with SigV4, throttling and unavailability retried with exponential backoff and
/// full jitter, every other error surfacing at once as the <see cref="TransferServiceException"/> that matches AWS's code.
/// Shared by the connector client (deliveries) and the user client (partner SFTP users).
/// </summary>
internal sealed class TransferApi : IDisposable
{
    private const string SigningService = "transfer";
    private const string TargetPrefix = "TransferService.";

    private readonly TransferOptions _options;
    private readonly ILogger _logger;
    private readonly Lazy<HttpClient> _http;

    /// <param name="credentials">Credentials to sign with; asked for on every request, so refreshing credentials work.</param>
    /// <param name="transport">The handler below the signer (tests); by default a pooled <see cref="SocketsHttpHandler"/>.</param>
    public TransferApi(TransferOptions options, AWSCredentials credentials, ILogger logger, HttpMessageHandler? transport)
    {
        _options = options;
        _logger = logger;
        var region = AwsJsonService.ResolveRegion(options.Region);
        if (region is not null)
        {
            Endpoint = AwsJsonService.ResolveEndpoint(SigningService, region, options.ServiceUrl);
            _http = new Lazy<HttpClient>(() => AwsJsonService.CreateSigningClient(credentials, region, SigningService, options.RequestTimeout, transport));
        }
        else
        {
            _http = new Lazy<HttpClient>(() => throw new TransferServiceException(
                "MissingRegion", 0, $"No AWS region for Transfer Family: set {TransferOptions.Section}:Region or AWS_REGION."));
        }
    }

    /// <summary>The API endpoint requests go to (null while no region is known).</summary>
    public Uri? Endpoint { get; }

    public async Task<TResponse> InvokeAsync<TRequest, TResponse>(
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

    /// <summary>The answer lacked a member the operation always returns.</summary>
    /// <summary>The member's value, or an <c>InvalidResponse</c> failure when Transfer Family left it out.</summary>
    public static string Require(string? value, string operation, string member) =>
        string.IsNullOrEmpty(value) ? throw InvalidResponse(operation, member) : value;

    public static TransferServiceException InvalidResponse(string operation, string member) =>
        new("InvalidResponse", (int)HttpStatusCode.OK, $"Transfer Family {operation} returned no {member}.");

    public void Dispose()
    {
        if (_http.IsValueCreated)
        {
            _http.Value.Dispose();
        }
    }

    private async Task<TResponse> SendOnceAsync<TResponse>(string operation, byte[] body, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        var http = _http.Value;
        using var message = AwsJsonService.CreateRequest(Endpoint!, TargetPrefix + operation, body);

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
                var (errorType, awsMessage) = AwsJsonService.ReadError(response, content);
                throw TransferServiceException.For(operation, errorType, (int)response.StatusCode, awsMessage);
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

    private TimeSpan RetryDelay(int attempt)
    {
        var ceiling = Math.Min(_options.RetryMaxDelay.TotalMilliseconds, _options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1));
#pragma warning disable CA5394 // Jitter spreads retries of many callers; it is not security-relevant.
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling);
#pragma warning restore CA5394
    }
}
