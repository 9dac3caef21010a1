using Microsoft.Extensions.Options;
using ReportingApi.Secrets;

namespace ReportingApi.Data;

public static class DataExtensions
{
    /// <summary>The connection factory (a MySQL password secret is read through <see cref="SecretsExtensions.AddSecrets"/>) and migrations.</summary>
    public static IServiceCollection AddData(this IServiceCollection services)
    {
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSecrets();
        services.AddSingleton<DbConnectionFactory>();
        services.AddSingleton<MigrationRunner>();
        return services;
    }

    /// <summary>
    /// Applies pending migrations (unless <see cref="DatabaseOptions.MigrateOnStart"/> is off). Program awaits it before
    /// <c>Run</c>, because hosted services may start after Kestrel already listens.
    /// </summary>
    public static async Task InitializeDatabaseAsync(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value.MigrateOnStart)
        {
            await app.Services.GetRequiredService<MigrationRunner>().MigrateAsync(app.Lifetime.ApplicationStopping);
        }
    }
}
