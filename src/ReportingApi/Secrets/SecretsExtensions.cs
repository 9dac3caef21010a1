using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ReportingApi.Secrets;

public static class SecretsExtensions
{
    /// <summary>
    /// The <see cref="ISecretSource"/> chosen by <c>Secrets:Provider</c>: local files (default) or Secrets Manager.
    /// Safe to call more than once (<c>AddPgp</c>, <c>AddData</c> and <c>AddTransfer</c> call it). With it, <see cref="SecretReferences"/> for references kept with data.
    /// </summary>
    public static IServiceCollection AddSecrets(this IServiceCollection services)
    {
        services.TryAddSingleton<SecretReferences>();
        if (services.Any(d => d.ServiceType == typeof(ISecretSource)))
        {
            return services;
        }

        services.AddOptions<SecretsOptions>().BindConfiguration(SecretsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<FileSecretSource>();
        services.TryAddSingleton<SecretsManagerClient>();
        services.TryAddSingleton<SecretsManagerSecretSource>();
        services.AddSingleton<ISecretSource>(provider => provider.GetRequiredService<IOptions<SecretsOptions>>().Value.Provider switch
        {
            SecretsProvider.SecretsManager => provider.GetRequiredService<SecretsManagerSecretSource>(),
            _ => provider.GetRequiredService<FileSecretSource>(),
        });
        return services;
    }
}
