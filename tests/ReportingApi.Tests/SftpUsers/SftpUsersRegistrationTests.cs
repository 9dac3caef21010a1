using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;
using ReportingApi.SftpUsers;
using ReportingApi.Storage;
using ReportingApi.Aws.Transfer;

namespace ReportingApi.Tests.SftpUsers;

public sealed class SftpUsersRegistrationTests
{
    private static readonly Dictionary<string, string?> OnAws = new()
    {
        ["ObjectStore:Provider"] = "S3",
        ["ObjectStore:S3:BucketName"] = "reports",
        ["SftpUsers:Provider"] = "TransferFamily",
        ["SftpUsers:TransferFamily:ServerId"] = "s-0123456789abcdef0",
        ["SftpUsers:TransferFamily:UserRoleArn"] = "arn:aws:iam::123456789012:role/stack-PartnerSftpUserRole-ABC",
        ["Transfer:Region"] = "eu-central-1",
    };

    [Fact]
    public void By_default_partner_users_are_the_local_OpenSSH_server_s_under_the_content_root()
    {
        var contentRoot = Path.GetTempPath();
        using var provider = Services([], contentRoot);

        var users = Assert.IsType<OpenSshSftpUsers>(provider.GetRequiredService<IPartnerSftpUsers>());

        Assert.Equal(Path.GetFullPath(Path.Combine(contentRoot, ".local/sftp-users")), users.UsersPath);
    }

    [Fact]
    public void With_the_settings_the_template_gives_the_function_they_are_the_Transfer_Family_server_s()
    {
        using var provider = Services(OnAws);

        Assert.IsType<TransferFamilySftpUsers>(provider.GetRequiredService<IPartnerSftpUsers>());
        Assert.Equal("s-0123456789abcdef0", provider.GetRequiredService<IOptions<SftpUsersOptions>>().Value.TransferFamily.ServerId);
    }

    [Theory]
    [InlineData("SftpUsers:TransferFamily:ServerId", null, "needs ServerId and UserRoleArn")]
    [InlineData("SftpUsers:TransferFamily:UserRoleArn", null, "needs ServerId and UserRoleArn")]
    [InlineData("SftpUsers:TransferFamily:ServerId", "s-123", "ServerId must be")]
    [InlineData("SftpUsers:TransferFamily:UserRoleArn", "arn:aws:iam::123456789012:user/someone", "UserRoleArn must be")]
    [InlineData("ObjectStore:Provider", "Folder", "needs ObjectStore:Provider S3")]
    public void Transfer_Family_settings_that_cannot_work_stop_the_start(string key, string? value, string message)
    {
        using var provider = Services(new Dictionary<string, string?>(OnAws) { [key] = value });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<SftpUsersOptions>>().Value);

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Services(Dictionary<string, string?> settings, string? contentRoot = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddSingleton<IHostEnvironment>(new HostingEnvironment { ContentRootPath = contentRoot ?? Path.GetTempPath() });
        services.AddLogging();
        services.AddStorage();
        services.AddSftpUsers();
        return services.BuildServiceProvider(validateScopes: true);
    }
}
