using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Xml;
using System.Xml.Linq;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;

namespace ReportingApi.Aws;

/// <summary>
/// The parts of AWS's JSON 1.1 protocol the app's hand-written clients share (the service SDK packages are not
/// available here): region and endpoint resolution, a SigV4-signing <see cref="HttpClient"/>, the request shape
/// (<c>POST /</c>, <c>X-Amz-Target</c>, <c>application/x-amz-json-1.1</c>) and the error shape.
/// </summary>
internal static class AwsJsonService
{
    public const string JsonContentType = "application/x-amz-json-1.1";
    public const string TargetHeader = "X-Amz-Target";

    /// <summary>The configured region, else <c>AWS_REGION</c>, else <c>AWS_DEFAULT_REGION</c>; null when none is set.</summary>
    public static RegionEndpoint? ResolveRegion(string? configured)
    {
        var name = new[] { configured, Environment.GetEnvironmentVariable("AWS_REGION"), Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION") }
            .FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
        return name is null ? null : RegionEndpoint.GetBySystemName(name);
    }

    /// <summary>The configured endpoint (a VPC endpoint or a test fake), else the service's public endpoint in the region.</summary>
    public static Uri ResolveEndpoint(string signingService, RegionEndpoint region, string? serviceUrl) =>
        string.IsNullOrWhiteSpace(serviceUrl)
            ? new Uri($"https://{signingService}.{region.SystemName}.{region.PartitionDnsSuffix}/")
            : new Uri(serviceUrl);

    /// <param name="credentials">Asked for on every request, so refreshing credentials work.</param>
    /// <param name="transport">The handler below the signer (tests); by default a pooled <see cref="SocketsHttpHandler"/>.</param>
    public static HttpClient CreateSigningClient(AWSCredentials credentials, RegionEndpoint region, string signingService, TimeSpan timeout, HttpMessageHandler? transport) =>
        new(new SigV4SigningHandler(credentials, region, signingService, transport ?? CreateTransport())) { Timeout = timeout };

    public static HttpRequestMessage CreateRequest(Uri endpoint, string target, byte[] body)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, endpoint);
        message.Headers.TryAddWithoutValidation(TargetHeader, target);
        message.Content = new ByteArrayContent(body);
        message.Content.Headers.ContentType = new MediaTypeHeaderValue(JsonContentType);
        return message;
    }

    /// <summary>
    /// AWS's error code (from <c>x-amzn-ErrorType</c>, the JSON body's <c>__type</c> or an XML body's <c>Code</c>, else
    /// <c>Http{status}</c>) and message. These services answer in JSON; the XML <c>ErrorResponse</c> of AWS's Query
    /// protocol is read too, because emulators (moto) answer authentication failures with it.
    /// </summary>
    public static (string ErrorType, string? Message) ReadError(HttpResponseMessage response, byte[] content)
    {
        var (bodyType, message) = ReadErrorBody(content);
        var headerType = response.Headers.TryGetValues("x-amzn-ErrorType", out var values) ? values.FirstOrDefault() : null;
        var errorType = ErrorCode(headerType) ?? ErrorCode(bodyType) ?? $"Http{(int)response.StatusCode}";
        return (errorType, message);
    }

    /// <summary>AWS sends <c>aws.protocoltests#ThrottlingException</c> or <c>ThrottlingException:http://...</c>; the code is the bare name.</summary>
    public static string? ErrorCode(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        var code = raw;
        var colon = code.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            code = code[..colon];
        }

        var hash = code.LastIndexOf('#');
        if (hash >= 0)
        {
            code = code[(hash + 1)..];
        }

        code = code.Trim();
        return code.Length == 0 ? null : code;
    }

    private static (string? Type, string? Message) ReadErrorBody(byte[] content)
    {
        if (content.Length == 0)
        {
            return (null, null);
        }

        try
        {
            if (content[0] == (byte)'<')
            {
                var error = XDocument.Parse(Encoding.UTF8.GetString(content)).Descendants().FirstOrDefault(e => e.Name.LocalName == "Error");
                return (error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Code")?.Value, error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Message")?.Value);
            }

            var json = JsonSerializer.Deserialize(content, AwsJsonServiceContext.Default.AwsErrorResponse);
            return (json?.Type, json?.Message ?? json?.LowerCaseMessage);
        }
        catch (Exception e) when (e is JsonException or XmlException)
        {
            // Not an AWS error body (a proxy's HTML page, say): the status code decides.
            return (null, null);
        }
    }

    private static SocketsHttpHandler CreateTransport() => new()
    {
        // Re-resolve the endpoint's DNS now and then; the client lives as long as the app.
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(10),
    };
}

/// <summary>AWS JSON 1.1 error body: <c>{"__type": "...", "message": "..."}</c> (some services write <c>Message</c>).</summary>
internal sealed record AwsErrorResponse(
    [property: JsonPropertyName("__type")] string? Type,
    [property: JsonPropertyName("message")] string? LowerCaseMessage,
    [property: JsonPropertyName("Message")] string? Message);

[JsonSerializable(typeof(AwsErrorResponse))]
internal sealed partial class AwsJsonServiceContext : JsonSerializerContext;
