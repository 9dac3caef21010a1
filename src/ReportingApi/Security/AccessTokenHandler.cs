using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using ReportingApi.Problems;

namespace ReportingApi.Security;

public sealed class AccessTokenOptions : AuthenticationSchemeOptions
{
    public TokenValidationParameters ValidationParameters { get; set; } = new();
}

/// <summary>
/// Validates OAuth2 access tokens (JWT, RS256) the way Cognito issues them: signed by the issuer's keys, not
/// expired, <c>token_use</c> "access"; there is no audience in a Cognito access token, the client is in
/// <c>client_id</c>. (JwtBearer cannot be restored here: its IdentityModel dependency is missing.)
/// Failures answer 401/403 with problem details and a <c>WWW-Authenticate</c> header.
/// </summary>
public sealed class AccessTokenHandler(IOptionsMonitor<AccessTokenOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AccessTokenOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";
    private const string TokenUseClaim = "token_use";

    private static readonly JsonWebTokenHandler Tokens = new() { MapInboundClaims = false };

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? authorization = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(authorization) || !authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var token = authorization["Bearer ".Length..].Trim();
        if (token.Length == 0 || !Tokens.CanReadToken(token))
        {
            return AuthenticateResult.Fail("The access token is not a JWT.");
        }

        var result = await Tokens.ValidateTokenAsync(token, Options.ValidationParameters);
        if (!result.IsValid)
        {
            // The reason goes to the log at debug level only: it may quote token contents.
            Logger.LogDebug(result.Exception, "Access token rejected");
            return AuthenticateResult.Fail("The access token is invalid or expired.");
        }

        var identity = result.ClaimsIdentity;
        if (identity.FindFirst(TokenUseClaim) is { } use && use.Value != "access")
        {
            return AuthenticateResult.Fail("Only access tokens are accepted.");
        }

        if (identity.FindFirst(Scopes.ClientIdClaim) is null)
        {
            return AuthenticateResult.Fail("The access token names no client_id.");
        }

        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure;
        Response.Headers.WWWAuthenticate = failure is null ? "Bearer" : "Bearer error=\"invalid_token\"";
        await Context.WriteProblemAsync(
            StatusCodes.Status401Unauthorized,
            ProblemTypes.Unauthenticated,
            "Authentication required",
            failure?.Message ?? "Send an OAuth2 access token: 'Authorization: Bearer <token>' (client-credentials grant).");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        // Policies are named after the scope they require (see SecurityExtensions).
        var scope = Context.GetEndpoint()?.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(data => data.Policy).LastOrDefault(policy => policy is not null);
        Response.Headers.WWWAuthenticate = scope is null ? "Bearer error=\"insufficient_scope\"" : $"Bearer error=\"insufficient_scope\", scope=\"{scope}\"";
        return Context.WriteProblemAsync(
            StatusCodes.Status403Forbidden,
            ProblemTypes.InsufficientScope,
            "Insufficient scope",
            $"Your access token lacks the scope this endpoint needs{(scope is null ? "" : $" ('{scope}')")}. Request a token with that scope.");
    }
}
