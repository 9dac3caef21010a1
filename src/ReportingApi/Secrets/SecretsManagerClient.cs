using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Amazon.Runtime;
using Microsoft.Extensions.Options;
using ReportingApi.Aws;

namespace ReportingApi.Secrets;

/// <summary>
/// Secrets Manager's <c>GetSecretValue</c> over HTTPS, JSON 1.1, SigV4 (service <c>secretsmanager</c>); the AWSSDK
/// package for it is not available here. Errors surface as <see cref="SecretSourceException"/> and its subtypes.
/// </summary>
public sealed class SecretsManagerClient : IDisposable
{
    private const string SigningService = "secretsmanager";
    private const string GetSecretValueTarget = "secretsmanager.GetSecretValue";

    private readonly Lazy<HttpClient> _http;
    private readonly Uri? _endpoint;

    /// <summary>Uses the default AWS credential chain.</summary>
    public SecretsManagerClient(IOptions<SecretsOptions> options)
        : this(options.Value, new DefaultChainCredentials())
    {
    }

    /// <param name="credentials">Asked for on every request, so refreshing credentials work.</param>
    public SecretsManagerClient(SecretsOptions options, AWSCredentials credentials, HttpMessageHandler? transport = null)
    {
        var region = AwsJsonService.ResolveRegion(options.Region);
        if (region is not null)
        {
            _endpoint = AwsJsonService.ResolveEndpoint(SigningService, region, options.ServiceUrl);
            _http = new Lazy<HttpClient>(() => AwsJsonService.CreateSigningClient(credentials, region, SigningService, options.RequestTimeout, transport));
        }
        else
        {
            _http = new Lazy<HttpClient>(() => throw new SecretSourceException(
                "MissingRegion", $"No AWS region for Secrets Manager: set {SecretsOptions.Section}:Region or AWS_REGION."));
        }
    }

    /// <summary>The API endpoint requests go to (null while no region is known).</summary>
    public Uri? Endpoint => _endpoint;

    /// <summary>The current (<c>AWSCURRENT</c>) <c>SecretString</c> of the secret with this ARN or name.</summary>
    public async Task<string> GetSecretStringAsync(string secretId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(secretId);
        var http = _http.Value;
        var body = JsonSerializer.SerializeToUtf8Bytes(new GetSecretValueRequest(secretId), SecretsManagerJsonContext.Default.GetSecretValueRequest);
        using var message = AwsJsonService.CreateRequest(_endpoint!, GetSecretValueTarget, body);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new SecretSourceException("NetworkError", $"Secrets Manager GetSecretValue for {secretId} failed: {e.Message}", e);
        }
        catch (AmazonClientException e)
        {
            // The signer could not get credentials from the default chain; nothing was sent.
            throw new SecretSourceException("MissingCredentials", $"Secrets Manager GetSecretValue for {secretId} could not be signed: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SecretSourceException("RequestTimeout", $"Secrets Manager GetSecretValue for {secretId} got no answer in time.", e);
        }

        using (response)
        {
            var content = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                var (errorType, awsMessage) = AwsJsonService.ReadError(response, content);
                throw SecretSourceException.For(secretId, errorType, (int)response.StatusCode, awsMessage);
            }

            GetSecretValueResponse? value;
            try
            {
                value = JsonSerializer.Deserialize(content, SecretsManagerJsonContext.Default.GetSecretValueResponse);
            }
            catch (JsonException)
            {
                // The exception's message could quote the body, which holds the secret: it is not kept.
                throw new SecretSourceException("InvalidResponse", $"Secrets Manager GetSecretValue for {secretId} returned a body that is not the expected JSON.");
            }

            return value?.SecretString is { } secret
                ? secret
                : throw new SecretNotFoundException("NoSecretString", $"The secret {secretId} has no SecretString (HTTP {(int)HttpStatusCode.OK}); binary secrets are not supported.");
        }
    }

    public void Dispose()
    {
        if (_http.IsValueCreated)
        {
            _http.Value.Dispose();
        }
    }
}

internal sealed record GetSecretValueRequest(string SecretId);

internal sealed record GetSecretValueResponse(string? ARN, string? Name, string? VersionId, string? SecretString);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(GetSecretValueRequest))]
[JsonSerializable(typeof(GetSecretValueResponse))]
internal sealed partial class SecretsManagerJsonContext : JsonSerializerContext;
