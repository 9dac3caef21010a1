using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lambda.Hosting.Http;

/// <summary>The parts of an API Gateway HTTP API payload format 2.0 event the bridge uses.</summary>
internal sealed class HttpApiRequest
{
    [JsonPropertyName("version")] public string? Version { get; init; }
    [JsonPropertyName("rawPath")] public string? RawPath { get; init; }
    [JsonPropertyName("rawQueryString")] public string? RawQueryString { get; init; }
    [JsonPropertyName("cookies")] public IReadOnlyList<string>? Cookies { get; init; }
    [JsonPropertyName("headers")] public IReadOnlyDictionary<string, string>? Headers { get; init; }
    [JsonPropertyName("body")] public string? Body { get; init; }
    [JsonPropertyName("isBase64Encoded")] public bool IsBase64Encoded { get; init; }
    [JsonPropertyName("requestContext")] public HttpApiRequestContext? RequestContext { get; init; }

    public static HttpApiRequest Parse(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize(json, LambdaJsonContext.Default.HttpApiRequest)
        ?? throw new JsonException("The event is JSON null, not an HTTP API request.");
}

internal sealed class HttpApiRequestContext
{
    [JsonPropertyName("requestId")] public string? RequestId { get; init; }
    [JsonPropertyName("stage")] public string? Stage { get; init; }
    [JsonPropertyName("http")] public HttpApiHttpDescription? Http { get; init; }
    [JsonPropertyName("authorizer")] public HttpApiAuthorizer? Authorizer { get; init; }
}

internal sealed class HttpApiHttpDescription
{
    [JsonPropertyName("method")] public string? Method { get; init; }
    [JsonPropertyName("path")] public string? Path { get; init; }
    [JsonPropertyName("protocol")] public string? Protocol { get; init; }
    [JsonPropertyName("sourceIp")] public string? SourceIp { get; init; }
}

internal sealed class HttpApiAuthorizer
{
    [JsonPropertyName("jwt")] public HttpApiJwtAuthorizer? Jwt { get; init; }
}

internal sealed class HttpApiJwtAuthorizer
{
    /// <summary>Claim values are strings, except that API Gateway may pass arrays/numbers through as JSON.</summary>
    [JsonPropertyName("claims")] public IReadOnlyDictionary<string, JsonElement>? Claims { get; init; }
    [JsonPropertyName("scopes")] public IReadOnlyList<string>? Scopes { get; init; }
}
