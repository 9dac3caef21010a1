using System.Reflection;
using Microsoft.OpenApi;
using ReportingApi.Security;

namespace ReportingApi.OpenApi;

public static class ApiDocumentationExtensions
{
    private const string DocumentName = "v1";
    private const string SchemeName = "oauth2";

    public static IServiceCollection AddApiDocumentation(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var localTokens = SecurityExtensions.IsLocalTokenEndpointEnabled(configuration, environment);
        var issuer = configuration[$"{TokenValidationSettings.Section}:{nameof(TokenValidationSettings.Issuer)}"];
        var tokenUrl = configuration["Authentication:TokenUrl"] ?? (localTokens ? LocalTokenEndpoint.Path : $"{issuer}/oauth2/token");

        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc(DocumentName, new OpenApiInfo
            {
                Title = "Reporting API",
                Version = DocumentName,
                Description = "Contract, installment, bike and employee reports for B2B partners, as CSV, XLSX or JSON. " +
                    "Authenticate with an OAuth2 client-credentials token; every report contains only your employers' rows. " +
                    "Errors are RFC 9457 problem details with a stable 'type'.",
            });
            options.AddSecurityDefinition(SchemeName, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.OAuth2,
                Description = "OAuth2 client credentials. In Development, use a demo client from the README.",
                Flows = new OpenApiOAuthFlows
                {
                    ClientCredentials = new OpenApiOAuthFlow
                    {
                        TokenUrl = new Uri(tokenUrl, UriKind.RelativeOrAbsolute),
                        Scopes = new Dictionary<string, string>
                        {
                            [Scopes.Read] = "Download reports and read the catalog.",
                            [Scopes.Deliver] = "Start report runs and follow their delivery.",
                            [Scopes.Admin] = "Administer partners (operators only).",
                        },
                    },
                },
            });
            options.OperationFilter<ScopeRequirementFilter>();
            options.OperationFilter<ReportParametersFilter>();
            options.OperationFilter<RequestExamplesFilter>();
            var xml = Path.Combine(AppContext.BaseDirectory, $"{Assembly.GetExecutingAssembly().GetName().Name}.xml");
            if (File.Exists(xml))
            {
                options.IncludeXmlComments(xml);
            }
        });
        return services;
    }

    /// <summary>
    /// Swagger UI at <c>/swagger</c>, the document at <c>/swagger/v1/swagger.json</c>. Their middleware is built at the
    /// first request under <c>/swagger</c>, not with the app's pipeline: building Swagger UI's middleware (its embedded
    /// files indexed) took ~40 ms of wall and CPU time of every cold start on Lambda, where no request goes to Swagger
    /// (StartBenchmark's Lambda path, 5 alternating turns).
    /// </summary>
    public static void MapApiDocumentation(this WebApplication app)
    {
        IApplicationBuilder pipeline = app;
        pipeline.Use(next =>
        {
            var documentation = new Lazy<RequestDelegate>(() => pipeline.New()
                .UseSwagger()
                .UseSwaggerUI(options =>
                {
                    options.SwaggerEndpoint($"/swagger/{DocumentName}/swagger.json", "Reporting API v1");
                    options.DocumentTitle = "Reporting API";
                    options.EnablePersistAuthorization();
                    options.OAuthScopes(Scopes.Read, Scopes.Deliver);
                })
                .Use(_ => next)
                .Build());
            return context => context.Request.Path.StartsWithSegments(DocumentationPath) ? documentation.Value(context) : next(context);
        });
    }

    private static readonly PathString DocumentationPath = "/swagger";

    internal const string OAuthSchemeName = SchemeName;
}
