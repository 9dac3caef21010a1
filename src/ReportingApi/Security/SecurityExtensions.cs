using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace ReportingApi.Security;

public static class SecurityExtensions
{
    public static IServiceCollection AddSecurity(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var localTokens = IsLocalTokenEndpointEnabled(configuration, environment);
        var development = environment.IsDevelopment();
        services.AddOptions<LocalTokenEndpointOptions>().BindConfiguration(LocalTokenEndpointOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<TokenValidationSettings>().BindConfiguration(TokenValidationSettings.Section)
            .ValidateDataAnnotations()
            .Validate(
                settings => localTokens || settings.HasValidIssuer(allowHttp: development),
                $"{TokenValidationSettings.Section}:{nameof(TokenValidationSettings.Issuer)} must be the token issuer's URL, the Cognito user pool: " +
                "https://cognito-idp.<region>.amazonaws.com/<poolId> (http is accepted in Development only).")
            .ValidateOnStart();

        var bearer = services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme);
        if (localTokens)
        {
            services.AddSingleton<LocalSigningKey>();
            bearer.Configure<IOptions<TokenValidationSettings>, LocalSigningKey>((options, settings, key) =>
                AccessTokenValidation.UseLocalIssuer(options, settings.Value, key));
        }
        else
        {
            bearer.Configure<IOptions<TokenValidationSettings>>((options, settings) =>
                AccessTokenValidation.UseIssuer(options, settings.Value, requireHttpsMetadata: !development));
        }

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();

        services.AddAuthorizationBuilder()
            .AddPolicy(Scopes.Read, policy => policy.RequireAuthenticatedUser().RequireAssertion(context => context.User.HasScope(Scopes.Read)))
            .AddPolicy(Scopes.Deliver, policy => policy.RequireAuthenticatedUser().RequireAssertion(context => context.User.HasScope(Scopes.Deliver)))
            .AddPolicy(Scopes.Admin, policy => policy.RequireAuthenticatedUser().RequireAssertion(context => context.User.HasScope(Scopes.Admin)));
        return services;
    }

    public static bool IsLocalTokenEndpointEnabled(IConfiguration configuration, IHostEnvironment environment) =>
        environment.IsDevelopment() && configuration.GetValue<bool>($"{LocalTokenEndpointOptions.Section}:{nameof(LocalTokenEndpointOptions.Enabled)}");
}
