using Microsoft.Extensions.Options;

namespace ReportingApi.Storage;

public static class StorageExtensions
{
    /// <summary>Registers <see cref="IObjectStore"/>: the folder or the S3 store, as <c>ObjectStore:Provider</c> says.</summary>
    public static IServiceCollection AddStorage(this IServiceCollection services)
    {
        services.AddOptions<ObjectStoreOptions>().BindConfiguration(ObjectStoreOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IObjectStore>(provider =>
            provider.GetRequiredService<IOptions<ObjectStoreOptions>>().Value.Provider switch
            {
                ObjectStoreProvider.S3 => ActivatorUtilities.CreateInstance<S3ObjectStore>(provider),
                _ => ActivatorUtilities.CreateInstance<FolderObjectStore>(provider),
            });
        return services;
    }
}
