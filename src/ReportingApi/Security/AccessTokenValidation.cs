using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace ReportingApi.Security;

/// <summary>
/// How JwtBearer validates access tokens as Cognito issues them for the client-credentials grant: RS256, signed by
/// one of the issuer's published keys, from that issuer, within its lifetime (plus a small clock skew). A Cognito
/// access token has no <c>aud</c>; the client is in <c>client_id</c> and the scopes in <c>scope</c>, which
/// <see cref="AccessTokenEvents"/> requires together with <c>token_use</c> "access". Claim names stay as issued.
/// </summary>
internal static class AccessTokenValidation
{
    /// <summary>
    /// How often the issuer's metadata and keys are fetched again on their own: keys Cognito adds are also picked up
    /// at once through <see cref="UnknownKeyRefreshInterval"/>, so this mainly bounds how long a key the issuer has
    /// withdrawn is still trusted (IdentityModel's default would be 12 hours; the cost is two small GETs an hour).
    /// </summary>
    internal static readonly TimeSpan MetadataRefreshInterval = TimeSpan.FromHours(1);

    /// <summary>
    /// A token signed with a key we do not know makes the keys be fetched again (the first time at once, in the
    /// background: that request is refused, the next ones with the new key pass), but at most once in this interval,
    /// so tokens with made-up <c>kid</c>s cannot make us call the issuer on every request.
    /// </summary>
    internal static readonly TimeSpan UnknownKeyRefreshInterval = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long one metadata or key fetch may take. An issuer that cannot be reached then fails requests with 401
    /// within seconds instead of holding them for the default minute.
    /// </summary>
    internal static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Tokens of the configured issuer (Cognito), its keys from its metadata, cached and refreshed as above.</summary>
    public static void UseIssuer(JwtBearerOptions options, TokenValidationSettings settings, bool requireHttpsMetadata)
    {
        UseCognitoRules(options, settings, settings.NormalizedIssuer);
        options.Authority = settings.NormalizedIssuer;
        options.RequireHttpsMetadata = requireHttpsMetadata;
        options.AutomaticRefreshInterval = MetadataRefreshInterval;
        options.RefreshInterval = UnknownKeyRefreshInterval;
        options.RefreshOnIssuerKeyNotFound = true;
        options.BackchannelTimeout = MetadataTimeout;
    }

    /// <summary>Tokens of the local token endpoint (Development), checked with its key: fixed metadata, nothing is fetched.</summary>
    public static void UseLocalIssuer(JwtBearerOptions options, TokenValidationSettings settings, LocalSigningKey key)
    {
        UseCognitoRules(options, settings, LocalSigningKey.Issuer);
        options.Configuration = new OpenIdConnectConfiguration { Issuer = LocalSigningKey.Issuer };
        options.Configuration.SigningKeys.Add(key.Key);
    }

    private static void UseCognitoRules(JwtBearerOptions options, TokenValidationSettings settings, string issuer)
    {
        options.MapInboundClaims = false;
        options.TokenHandlers.Clear();
        options.TokenHandlers.Add(new ValidatedTokenCache(TimeProvider.System) { MapInboundClaims = false });
        options.Events = new AccessTokenEvents();
        options.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = issuer,
            ValidateAudience = false,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            ClockSkew = TimeSpan.FromSeconds(settings.ClockSkewSeconds),
        };
    }
}
