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
    /// Applies pending migrations (<see cref="DatabaseOptions.MigrateOnStart"/>). Program awaits it before <c>Run</c>,
    /// because hosted services may start after Kestrel already listens. Where they are applied at deploy instead (on
    /// Lambda), the start does not wait for the database: a check beside it logs an error when the schema is behind.
    /// </summary>
    public static async Task InitializeDatabaseAsync(this WebApplication app)
    {
        var migrations = app.Services.GetRequiredService<MigrationRunner>();
        if (app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value.MigrateOnStart)
        {
            await migrations.MigrateAsync(app.Lifetime.ApplicationStopping);
        }
        else
        {
            _ = Task.Run(() => migrations.WarnIfBehindAsync(app.Lifetime.ApplicationStopping));
        }
    }
}
