using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace ReportingApi.Security;

public static class SecurityExtensions
{
    public static IServiceCollection AddSecurity(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var localTokens = IsLocalTokenEndpointEnabled(configuration, environment);
        services.AddOptions<LocalTokenEndpointOptions>().BindConfiguration(LocalTokenEndpointOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<TokenValidationSettings>().BindConfiguration(TokenValidationSettings.Section)
            .Validate(settings => localTokens || Uri.IsWellFormedUriString(settings.Issuer, UriKind.Absolute), "Authentication:Issuer must be the token issuer's URL (the Cognito user pool).")
            .ValidateOnStart();
        if (localTokens)
        {
            services.AddSingleton<LocalSigningKey>();
        }

        services.AddAuthentication(AccessTokenHandler.SchemeName).AddScheme<AccessTokenOptions, AccessTokenHandler>(AccessTokenHandler.SchemeName, null);
        services.AddOptions<AccessTokenOptions>(AccessTokenHandler.SchemeName).Configure<IServiceProvider>((options, provider) =>
            options.ValidationParameters = localTokens
                ? LocalValidation(provider.GetRequiredService<LocalSigningKey>(), provider.GetRequiredService<IOptions<TokenValidationSettings>>().Value)
                : IssuerValidation(provider.GetRequiredService<IOptions<TokenValidationSettings>>().Value));

        services.AddAuthorizationBuilder()
            .AddPolicy(Scopes.Read, policy => policy.RequireAuthenticatedUser().RequireAssertion(context => context.User.HasScope(Scopes.Read)))
            .AddPolicy(Scopes.Deliver, policy => policy.RequireAuthenticatedUser().RequireAssertion(context => context.User.HasScope(Scopes.Deliver)))
            .AddPolicy(Scopes.Admin, policy => policy.RequireAuthenticatedUser().RequireAssertion(context => context.User.HasScope(Scopes.Admin)));
        return services;
    }

    public static bool IsLocalTokenEndpointEnabled(IConfiguration configuration, IHostEnvironment environment) =>
        environment.IsDevelopment() && configuration.GetValue<bool>($"{LocalTokenEndpointOptions.Section}:{nameof(LocalTokenEndpointOptions.Enabled)}");

    private static TokenValidationParameters LocalValidation(LocalSigningKey key, TokenValidationSettings settings) => new()
    {
        ValidIssuer = LocalSigningKey.Issuer,
        IssuerSigningKey = key.Key,
        ValidateAudience = false,
        ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        ClockSkew = TimeSpan.FromSeconds(settings.ClockSkewSeconds),
    };

    private static TokenValidationParameters IssuerValidation(TokenValidationSettings settings)
    {
        var issuer = settings.Issuer.TrimEnd('/');
        return new TokenValidationParameters
        {
            ValidIssuer = issuer,
            ValidateAudience = false,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            ClockSkew = TimeSpan.FromSeconds(settings.ClockSkewSeconds),
            // Cognito publishes its keys at {issuer}/.well-known/jwks.json via the OpenID configuration; cached and refreshed.
            ConfigurationManager = new ConfigurationManager<OpenIdConnectConfiguration>(
                $"{issuer}/.well-known/openid-configuration",
                new OpenIdConnectConfigurationRetriever(),
                new HttpDocumentRetriever { RequireHttps = issuer.StartsWith("https://", StringComparison.Ordinal) }),
        };
    }
}
