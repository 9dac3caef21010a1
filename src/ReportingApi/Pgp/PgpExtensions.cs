using Microsoft.Extensions.DependencyInjection.Extensions;
using ReportingApi.Secrets;

namespace ReportingApi.Pgp;

public static class PgpExtensions
{
    /// <summary>
    /// OpenPGP: <see cref="PgpEncryptor"/>, <see cref="PgpDecryptor"/>, <see cref="PgpKeyValidator"/>,
    /// <see cref="PgpKeyGenerator"/> and the <see cref="CompanySigningKey"/>, which is loaded while the app starts
    /// through the <see cref="ISecretSource"/> of <see cref="SecretsExtensions.AddSecrets"/>.
    /// </summary>
    public static IServiceCollection AddPgp(this IServiceCollection services)
    {
        services.AddOptions<PgpOptions>().BindConfiguration(PgpOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSecrets();
        services.AddSingleton<PgpKeyGenerator>();
        services.AddSingleton<PgpKeyValidator>();
        services.AddSingleton<CompanySigningKey>();
        services.AddSingleton<PgpEncryptor>();
        services.AddSingleton<PgpDecryptor>();
        services.AddHostedService<CompanySigningKeyStartup>();
        return services;
    }
}
