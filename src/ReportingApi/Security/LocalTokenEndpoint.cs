using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ReportingApi.Security;

/// <summary>The key the local token endpoint signs with; generated per process, so tokens end with a restart.</summary>
public sealed class LocalSigningKey : IDisposable
{
    public const string Issuer = "reportingapi-local";

    private readonly RSA _rsa = RSA.Create(2048);

    public LocalSigningKey() => Key = new RsaSecurityKey(_rsa) { KeyId = "local-" + Guid.NewGuid().ToString("N")[..8] };

    public RsaSecurityKey Key { get; }

    public void Dispose() => _rsa.Dispose();
}

/// <summary>
/// <c>POST /oauth2/token</c>: the client-credentials grant as Cognito's endpoint does it (client id and secret by
/// HTTP Basic or form fields, optional <c>scope</c>, RFC 6749 error bodies). Mapped only in Development.
/// </summary>
public static class LocalTokenEndpoint
{
    public const string Path = "/oauth2/token";

    public static void MapLocalTokenEndpoint(this WebApplication app)
    {
        app.MapPost(Path, IssueToken).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
    }

    internal static async Task<Results<Ok<TokenResponse>, JsonHttpResult<TokenError>>> IssueToken(
        HttpRequest request, IOptions<LocalTokenEndpointOptions> options, LocalSigningKey signingKey, TimeProvider clock)
    {
        if (!request.HasFormContentType)
        {
            return Error("invalid_request", "Send an application/x-www-form-urlencoded body with grant_type=client_credentials.");
        }

        var form = await request.ReadFormAsync();
        if (form["grant_type"] != "client_credentials")
        {
            return Error("unsupported_grant_type", "Only grant_type=client_credentials is supported.");
        }

        var (clientId, clientSecret) = ReadClientCredentials(request, form);
        var client = options.Value.Clients.FirstOrDefault(candidate => candidate.ClientId == clientId);
        if (client is null || clientSecret is null || !SecretsEqual(client.ClientSecret, clientSecret))
        {
            return Error("invalid_client", "Unknown client or wrong secret.", StatusCodes.Status401Unauthorized);
        }

        var requested = form["scope"].ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (requested.Except(client.Scopes, StringComparer.Ordinal).Any())
        {
            return Error("invalid_scope", $"This client may request only: {string.Join(' ', client.Scopes)}.");
        }

        var scopes = requested.Length > 0 ? requested : client.Scopes.ToArray();
        var now = clock.GetUtcNow().UtcDateTime;
        var lifetime = TimeSpan.FromMinutes(options.Value.TokenLifetimeMinutes);
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = LocalSigningKey.Issuer,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            SigningCredentials = new SigningCredentials(signingKey.Key, SecurityAlgorithms.RsaSha256),
            Claims = new Dictionary<string, object>
            {
                [Scopes.ClientIdClaim] = client.ClientId,
                // As Cognito: a client-credentials token's subject is the client.
                ["sub"] = client.ClientId,
                [Scopes.ScopeClaim] = string.Join(' ', scopes),
                ["token_use"] = "access",
                ["jti"] = Guid.NewGuid().ToString(),
            },
        });
        return TypedResults.Ok(new TokenResponse(token, "Bearer", (int)lifetime.TotalSeconds));
    }

    private static (string? ClientId, string? ClientSecret) ReadClientCredentials(HttpRequest request, IFormCollection form)
    {
        string? authorization = request.Headers.Authorization;
        if (authorization is not null && authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorization["Basic ".Length..].Trim()));
                var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    return (Uri.UnescapeDataString(decoded[..colon]), Uri.UnescapeDataString(decoded[(colon + 1)..]));
                }
            }
            catch (FormatException)
            {
                return (null, null);
            }
        }

        return (form["client_id"].ToString(), form["client_secret"].Count > 0 ? form["client_secret"].ToString() : null);
    }

    private static bool SecretsEqual(string expected, string actual) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(expected)), SHA256.HashData(Encoding.UTF8.GetBytes(actual)));

    private static JsonHttpResult<TokenError> Error(string error, string description, int status = StatusCodes.Status400BadRequest) =>
        TypedResults.Json(new TokenError(error, description), statusCode: status);
}

/// <summary>An OAuth2 token response (RFC 6749 section 5.1).</summary>
public sealed record TokenResponse(
    [property: System.Text.Json.Serialization.JsonPropertyName("access_token")] string AccessToken,
    [property: System.Text.Json.Serialization.JsonPropertyName("token_type")] string TokenType,
    [property: System.Text.Json.Serialization.JsonPropertyName("expires_in")] int ExpiresIn);

/// <summary>An OAuth2 error response (RFC 6749 section 5.2).</summary>
public sealed record TokenError(
    [property: System.Text.Json.Serialization.JsonPropertyName("error")] string Error,
    [property: System.Text.Json.Serialization.JsonPropertyName("error_description")] string ErrorDescription);
