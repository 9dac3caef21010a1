using System.Net;
using System.Security.Claims;
using System.Text.Json;
using Lambda.Hosting.RuntimeApi;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Lambda.Hosting.Http;

/// <summary>One HTTP API payload 2.0 event as an ASP.NET Core request: the feature collection the app runs on.</summary>
internal sealed class HttpApiExchange : IDisposable
{
    /// <summary>The authentication type of users made from the API Gateway JWT authorizer's claims.</summary>
    public const string AuthenticationType = "ApiGatewayJwt";
    public const string ScopeClaim = "scope";

    private const string DefaultStage = "$default";
    private const string EncodedSlash = "%2F";

    private readonly CancellationTokenSource _aborted;

    private HttpApiExchange(HttpApiRequest request, LambdaInvocation invocation, LambdaHostingOptions options, CancellationToken stopping)
    {
        _aborted = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var remaining = invocation.Deadline - DateTimeOffset.UtcNow;
        if (remaining > TimeSpan.Zero && remaining < TimeSpan.FromDays(1))
        {
            _aborted.CancelAfter(remaining);
        }

        Response = new LambdaResponseFeature(
            contentType => BodyContentTypes.IsUtf8Text(contentType) ? options.ResponseLimitBytes : options.ResponseLimitBytes / 4 * 3,
            // Cooperative writers stop early instead of rendering what cannot be sent.
            () => _aborted.Cancel());

        Features.Set<IHttpRequestFeature>(CreateRequestFeature(request));
        // Without this feature, minimal APIs treat every request as bodiless and refuse [FromBody] parameters.
        Features.Set<IHttpRequestBodyDetectionFeature>(new RequestBodyDetection(!string.IsNullOrEmpty(request.Body)));
        Features.Set<IHttpResponseFeature>(Response);
        Features.Set<IHttpResponseBodyFeature>(Response);
        Features.Set<IHttpConnectionFeature>(new HttpConnectionFeature
        {
            ConnectionId = invocation.RequestId,
            RemoteIpAddress = IPAddress.TryParse(request.RequestContext?.Http?.SourceIp, out var sourceIp) ? sourceIp : null,
        });
        Features.Set<IHttpRequestIdentifierFeature>(new HttpRequestIdentifierFeature
        {
            // The id API Gateway returns to the caller (apigw-requestid); the Lambda one is in ILambdaInvocationFeature.
            TraceIdentifier = request.RequestContext?.RequestId ?? invocation.RequestId,
        });
        Features.Set<IHttpRequestLifetimeFeature>(new HttpRequestLifetimeFeature { RequestAborted = _aborted.Token });
        Features.Set<IHttpAuthenticationFeature>(new HttpAuthenticationFeature { User = CreateUser(request) });
        Features.Set<ILambdaInvocationFeature>(new LambdaInvocationFeature(invocation));
    }

    public FeatureCollection Features { get; } = new();

    public LambdaResponseFeature Response { get; }

    public static HttpApiExchange Create(LambdaInvocation invocation, LambdaHostingOptions options, CancellationToken stopping) =>
        new(HttpApiRequest.Parse(invocation.Event.Span), invocation, options, stopping);

    public void Dispose() => _aborted.Dispose();

    private static HttpRequestFeature CreateRequestFeature(HttpApiRequest request)
    {
        var http = request.RequestContext?.Http;
        var rawPath = string.IsNullOrEmpty(request.RawPath) ? http?.Path ?? "/" : request.RawPath;
        var (pathBase, path) = SplitStage(rawPath, request.RequestContext?.Stage);
        var queryString = string.IsNullOrEmpty(request.RawQueryString) ? string.Empty : "?" + request.RawQueryString;

        IHeaderDictionary headers = new HeaderDictionary();
        foreach (var (name, value) in request.Headers ?? new Dictionary<string, string>())
        {
            // One value as sent: splitting on commas would break dates, quoted strings and user agents.
            headers[name] = value;
        }

        if (request.Cookies is { Count: > 0 } cookies)
        {
            headers.Cookie = string.Join("; ", cookies);
        }

        Stream body = Stream.Null;
        if (request.Body is { } text)
        {
            var bytes = request.IsBase64Encoded ? Convert.FromBase64String(text) : System.Text.Encoding.UTF8.GetBytes(text);
            body = new MemoryStream(bytes, writable: false);
            headers.ContentLength ??= bytes.Length;
        }

        var forwardedProto = headers["X-Forwarded-Proto"].ToString();
        return new HttpRequestFeature
        {
            Protocol = http?.Protocol ?? "HTTP/1.1",
            Scheme = string.IsNullOrEmpty(forwardedProto) ? "https" : forwardedProto,
            Method = http?.Method ?? HttpMethods.Get,
            PathBase = DecodePath(pathBase),
            Path = DecodePath(path),
            QueryString = queryString,
            RawTarget = rawPath + queryString,
            Headers = headers,
            Body = body,
        };
    }

    /// <summary>A named stage appears in rawPath (<c>/prod/v1/...</c>); it is the app's PathBase, not part of its routes.</summary>
    internal static (string PathBase, string Path) SplitStage(string rawPath, string? stage)
    {
        if (string.IsNullOrEmpty(stage) || stage == DefaultStage)
        {
            return (string.Empty, rawPath);
        }

        var prefix = "/" + stage;
        if (rawPath.Equals(prefix, StringComparison.Ordinal))
        {
            return (prefix, "/");
        }

        return rawPath.StartsWith(prefix + "/", StringComparison.Ordinal)
            ? (prefix, rawPath[prefix.Length..])
            : (string.Empty, rawPath);
    }

    /// <summary>Decodes like Kestrel: percent-escapes become characters (UTF-8), except %2F, which stays a literal in a segment.</summary>
    internal static string DecodePath(string rawPath)
    {
        var segments = rawPath.Replace("%2f", EncodedSlash, StringComparison.Ordinal).Split(EncodedSlash);
        return string.Join(EncodedSlash, segments.Select(Uri.UnescapeDataString));
    }

    private static ClaimsPrincipal CreateUser(HttpApiRequest request)
    {
        var jwt = request.RequestContext?.Authorizer?.Jwt;
        if (jwt is null || (jwt.Claims is null && jwt.Scopes is null))
        {
            return new ClaimsPrincipal(new ClaimsIdentity());
        }

        var scopes = jwt.Scopes is { Count: > 0 } ? string.Join(' ', jwt.Scopes) : null;
        var claims = new List<Claim>();
        foreach (var (name, value) in jwt.Claims ?? new Dictionary<string, JsonElement>())
        {
            if (scopes is not null && name == ScopeClaim)
            {
                // The authorizer's scopes list is what it checked; it wins over the token's own scope claim.
                continue;
            }

            if (value.ValueKind == JsonValueKind.Array)
            {
                claims.AddRange(value.EnumerateArray().Select(item => new Claim(name, ClaimValue(item))));
            }
            else
            {
                claims.Add(new Claim(name, ClaimValue(value)));
            }
        }

        if (scopes is not null)
        {
            claims.Add(new Claim(ScopeClaim, scopes));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, AuthenticationType));
    }

    private static string ClaimValue(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? value.GetString() ?? string.Empty : value.GetRawText();
}

/// <summary>Whether the request has a body: API Gateway sends the whole body (or none) in the event.</summary>
internal sealed class RequestBodyDetection(bool canHaveBody) : IHttpRequestBodyDetectionFeature
{
    public bool CanHaveBody { get; } = canHaveBody;
}
