using ReportingApi.Secrets;

namespace ReportingApi.Data;

public static class DataExtensions
{
    /// <summary>The connection factory (a MySQL password secret is read through <see cref="SecretsExtensions.AddSecrets"/>), migrations and demo data.</summary>
    public static IServiceCollection AddData(this IServiceCollection services)
    {
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSecrets();
        services.AddSingleton<DbConnectionFactory>();
        services.AddSingleton<MigrationRunner>();
        services.AddSingleton<DatabaseInitializer>();
        return services;
    }

    public static Task InitializeDatabaseAsync(this WebApplication app)
    {
        if (app.Services.GetRequiredService<DbConnectionFactory>().Provider == DatabaseProvider.MySql)
        {
            // MySql.Data 8.0.16 keeps a process alive after Main returns while its pool holds connections.
            app.Lifetime.ApplicationStopped.Register(MySql.Data.MySqlClient.MySqlConnection.ClearAllPools);
        }

        return app.Services.GetRequiredService<DatabaseInitializer>().InitializeAsync(app.Lifetime.ApplicationStopping);
    }
}
