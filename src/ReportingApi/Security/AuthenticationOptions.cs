using System.ComponentModel.DataAnnotations;

namespace ReportingApi.Security;

/// <summary>How access tokens are validated. In production: the Cognito user pool's issuer, whose JWKS signs them.</summary>
public sealed class TokenValidationSettings
{
    public const string Section = "Authentication";

    /// <summary>
    /// Issuer that must sign every token, e.g. <c>https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_AbC123</c>.
    /// Its signing keys are read from <c>{Issuer}/.well-known/jwks.json</c>. With the local token endpoint enabled,
    /// the local issuer is used instead.
    /// </summary>
    [Required(AllowEmptyStrings = false)]
    public string Issuer { get; set; } = "";

    /// <summary>Tolerated clock difference between us and the issuer.</summary>
    [Range(0, 600)]
    public int ClockSkewSeconds { get; set; } = 60;
}

/// <summary>A Cognito-like client-credentials token endpoint for Development: it issues tokens for configured clients.</summary>
public sealed class LocalTokenEndpointOptions
{
    public const string Section = "LocalTokenEndpoint";

    public bool Enabled { get; set; }

    [Range(1, 1440)]
    public int TokenLifetimeMinutes { get; set; } = 60;

    public List<LocalClient> Clients { get; set; } = [];
}

public sealed class LocalClient
{
    [Required(AllowEmptyStrings = false)]
    public string ClientId { get; set; } = "";

    [Required(AllowEmptyStrings = false)]
    public string ClientSecret { get; set; } = "";

    public List<string> Scopes { get; set; } = [];
}
