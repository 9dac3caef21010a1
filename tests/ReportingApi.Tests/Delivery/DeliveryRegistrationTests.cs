using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;
using ReportingApi.Aws.Transfer;
using ReportingApi.Delivery;
using ReportingApi.Delivery.Connector;
using ReportingApi.Storage;
using ReportingApi.Testing;

namespace ReportingApi.Tests.Delivery;

public sealed class DeliveryRegistrationTests
{
    [Fact]
    public void AddDelivery_provides_a_delivery_for_every_kind_with_the_defaults_and_no_AWS_access()
    {
        using var store = new TempFolderObjectStore();
        using var provider = Services(new Dictionary<string, string?>(), store).BuildServiceProvider(validateScopes: true);

        var deliveries = provider.GetRequiredService<FileDeliveries>();

        Assert.All(Enum.GetValues<DeliveryKind>(), kind => Assert.Equal(kind, deliveries.For(kind).Kind));
        Assert.All(Enum.GetValues<DeliveryKind>(), kind => Assert.Equal(kind, provider.GetRequiredService<DeliveryProbes>().For(kind).Kind));
        Assert.Equal(5, provider.GetRequiredService<IOptions<TransferOptions>>().Value.MaxAttempts);
        Assert.Equal("transfer-staging", provider.GetRequiredService<IOptions<ConnectorDeliveryOptions>>().Value.StagingPrefix);
        Assert.Equal(TimeSpan.FromSeconds(20), provider.GetRequiredService<IOptions<SftpDeliveryOptions>>().Value.ConnectTimeout);
        Assert.Equal(TimeSpan.FromMinutes(1), provider.GetRequiredService<IOptions<SftpDeliveryOptions>>().Value.IdleTimeout);
    }

    [Fact]
    public void Configuration_binds_from_the_Transfer_sections()
    {
        using var store = new TempFolderObjectStore();
        using var provider = Services(
            new Dictionary<string, string?>
            {
                ["Transfer:Region"] = "eu-west-1",
                ["Transfer:ServiceUrl"] = "http://127.0.0.1:9999/",
                ["Transfer:MaxAttempts"] = "7",
                ["Transfer:Connector:SourceBucket"] = "reports",
                ["Transfer:Connector:PollInterval"] = "00:00:02",
                ["Transfer:Sftp:ConnectTimeout"] = "00:00:05",
                ["Transfer:Sftp:IdleTimeout"] = "00:05:00",
            },
            store).BuildServiceProvider();

        Assert.Equal(7, provider.GetRequiredService<IOptions<TransferOptions>>().Value.MaxAttempts);
        Assert.Equal(new Uri("http://127.0.0.1:9999/"), provider.GetRequiredService<TransferConnectorClient>().Endpoint);
        Assert.Equal("reports", provider.GetRequiredService<IOptions<ConnectorDeliveryOptions>>().Value.SourceBucket);
        Assert.Equal(TimeSpan.FromSeconds(2), provider.GetRequiredService<IOptions<ConnectorDeliveryOptions>>().Value.PollInterval);
        Assert.Equal(TimeSpan.FromSeconds(5), provider.GetRequiredService<IOptions<SftpDeliveryOptions>>().Value.ConnectTimeout);
        Assert.Equal(TimeSpan.FromMinutes(5), provider.GetRequiredService<IOptions<SftpDeliveryOptions>>().Value.IdleTimeout);
    }

    [Theory]
    [InlineData("Transfer:MaxAttempts", "0")]
    [InlineData("Transfer:ServiceUrl", "not a url")]
    [InlineData("Transfer:Connector:StagingPrefix", "/leading-slash")]
    [InlineData("Transfer:Sftp:ConnectTimeout", "00:00:00")]
    [InlineData("Transfer:Sftp:IdleTimeout", "02:00:00")]
    public void Invalid_settings_are_refused(string key, string value)
    {
        using var store = new TempFolderObjectStore();
        using var provider = Services(new Dictionary<string, string?> { [key] = value }, store).BuildServiceProvider();

        Assert.ThrowsAny<OptionsValidationException>(() =>
        {
            _ = provider.GetRequiredService<IOptions<TransferOptions>>().Value;
            _ = provider.GetRequiredService<IOptions<ConnectorDeliveryOptions>>().Value;
            _ = provider.GetRequiredService<IOptions<SftpDeliveryOptions>>().Value;
        });
    }

    private static ServiceCollection Services(Dictionary<string, string?> settings, IObjectStore store)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddSingleton<IHostEnvironment>(new HostingEnvironment { ContentRootPath = Path.GetTempPath() });
        services.AddLogging();
        services.AddSingleton(store);
        services.AddSingleton<IHandoverStore>(new NoHandovers());
        services.AddDelivery();
        return services;
    }

    /// <summary>
    /// Stands in for the runs' handover store, which the connector delivery needs to be built: these tests only build the
    /// deliveries and hand nothing over, so any call is a failure.
    /// </summary>
    private sealed class NoHandovers : IHandoverStore
    {
        public Task<PendingHandover?> FindAsync(string eventKey, CancellationToken cancellationToken) => throw Unexpected();

        public Task<bool> TrySaveAsync(PendingHandover current, HandoverProgress? progress, CancellationToken cancellationToken) => throw Unexpected();

        public Task DeliveredAsync(PendingHandover ended, CancellationToken cancellationToken) => throw Unexpected();

        public Task FailedAsync(PendingHandover ended, Exception failure) => throw Unexpected();

        private static InvalidOperationException Unexpected() => new("No delivery is handed over in a registration test.");
    }
}
