using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ReportingApi.Pgp;

public static class PgpExtensions
{
    /// <summary>
    /// OpenPGP: <see cref="PgpEncryptor"/>, <see cref="PgpDecryptor"/>, <see cref="PgpKeyValidator"/>,
    /// <see cref="PgpKeyGenerator"/> and the <see cref="CompanySigningKey"/>, which is loaded while the app starts.
    /// </summary>
    public static IServiceCollection AddPgp(this IServiceCollection services)
    {
        services.AddOptions<PgpOptions>().BindConfiguration(PgpOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<PgpKeyGenerator>();
        services.AddSingleton<PgpKeyValidator>();
        services.AddSingleton<CompanySigningKey>();
        services.AddSingleton<PgpEncryptor>();
        services.AddSingleton<PgpDecryptor>();
        services.AddHostedService<CompanySigningKeyStartup>();
        return services;
    }
}
