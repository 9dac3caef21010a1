using Microsoft.Extensions.Options;
using ReportingApi.Aws.Transfer;

namespace ReportingApi.SftpUsers;

public static class SftpUsersExtensions
{
    /// <summary>
    /// Registers <see cref="IPartnerSftpUsers"/>: the local OpenSSH users or the Transfer Family server, as
    /// <c>SftpUsers:Provider</c> says (checked at start). For AWS it uses the <c>Transfer</c> settings (region, endpoint,
    /// retries) as <see cref="TransferApiExtensions.AddTransferApiOptions"/> binds them. Nothing talks to AWS until a user is put.
    /// </summary>
    public static IServiceCollection AddSftpUsers(this IServiceCollection services)
    {
        services.AddTransferApiOptions();
        services.AddOptions<SftpUsersOptions>().BindConfiguration(SftpUsersOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SftpUsersOptions>, SftpUsersOptionsValidation>();
        services.AddSingleton(provider => new TransferUserClient(
            provider.GetRequiredService<IOptions<TransferOptions>>(), provider.GetRequiredService<ILogger<TransferUserClient>>()));
        services.AddSingleton<IPartnerSftpUsers>(provider =>
            provider.GetRequiredService<IOptions<SftpUsersOptions>>().Value.Provider switch
            {
                SftpServerProvider.TransferFamily => ActivatorUtilities.CreateInstance<TransferFamilySftpUsers>(provider),
                _ => ActivatorUtilities.CreateInstance<OpenSshSftpUsers>(provider),
            });
        return services;
    }
}
