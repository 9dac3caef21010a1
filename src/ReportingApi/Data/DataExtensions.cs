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

    public static Task InitializeDatabaseAsync(this WebApplication app) =>
        app.Services.GetRequiredService<DatabaseInitializer>().InitializeAsync(app.Lifetime.ApplicationStopping);
}
