using Amazon.Runtime;
using Amazon.S3;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ReportingApi.Storage;

namespace ReportingApi.Tests.Storage;

public sealed class StorageConfigurationTests
{
    private const string KmsKeyId = "arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    [Fact]
    public void Default_is_a_folder_under_the_content_root()
    {
        var contentRoot = Path.Combine(Path.GetTempPath(), "storage-config-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var provider = BuildProvider([], contentRoot);

            var store = Assert.IsType<FolderObjectStore>(provider.GetRequiredService<IObjectStore>());
            Assert.Equal(Path.Combine(contentRoot, ".local", "objects"), store.RootPath);
            Assert.True(Directory.Exists(store.RootPath));
        }
        finally
        {
            Directory.Delete(contentRoot, recursive: true);
        }
    }

    [Fact]
    public void S3_provider_gives_the_S3_store()
    {
        using var provider = BuildProvider(new()
        {
            ["ObjectStore:Provider"] = "S3",
            ["ObjectStore:S3:BucketName"] = "reports",
            ["ObjectStore:S3:Region"] = "eu-central-1",
            ["ObjectStore:S3:RequestChecksumCalculation"] = "WHEN_REQUIRED",
        });

        Assert.IsType<S3ObjectStore>(provider.GetRequiredService<IObjectStore>());
        var s3 = provider.GetRequiredService<IOptions<ObjectStoreOptions>>().Value.S3;
        Assert.Equal(RequestChecksumCalculation.WHEN_REQUIRED, s3.RequestChecksumCalculation);
    }

    [Theory]
    [InlineData("ObjectStore:S3:BucketName", "", "BucketName")]
    [InlineData("ObjectStore:S3:PartSizeBytes", "5242879", "PartSizeBytes")]
    [InlineData("ObjectStore:S3:ServiceUrl", "not a url", "ServiceUrl")]
    [InlineData("ObjectStore:S3:CaCertificatePath", "/no/such/ca.pem", "CaCertificatePath")]
    [InlineData("ObjectStore:S3:DisablePayloadSigning", "true", "DisablePayloadSigning")]
    public void Invalid_S3_settings_fail_at_start(string key, string value, string member)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ObjectStore:Provider"] = "S3",
            ["ObjectStore:S3:BucketName"] = "reports",
            ["ObjectStore:S3:ServiceUrl"] = "http://127.0.0.1:4568",
            [key] = value,
        };
        using var provider = BuildProvider(settings);

        var failure = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ObjectStoreOptions>>().Value);
        Assert.Contains(member, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Folder_provider_ignores_unset_S3_settings()
    {
        using var provider = BuildProvider(new() { ["ObjectStore:S3:PartSizeBytes"] = "1" });

        Assert.Equal(ObjectStoreProvider.Folder, provider.GetRequiredService<IOptions<ObjectStoreOptions>>().Value.Provider);
    }

    [Fact]
    public void Sse_kms_is_requested_on_put_initiate_and_copy_when_a_key_is_configured()
    {
        using var store = CreateS3Store(new S3StoreOptions { BucketName = "reports", KmsKeyId = KmsKeyId, Region = "eu-central-1" });

        var put = store.BuildPutObjectRequest("k", "text/csv", Stream.Null);
        var initiate = store.BuildInitiateMultipartUploadRequest("k", "text/csv");

        Assert.Equal(ServerSideEncryptionMethod.AWSKMS, put.ServerSideEncryptionMethod);
        Assert.Equal(KmsKeyId, put.ServerSideEncryptionKeyManagementServiceKeyId);
        Assert.Equal(ServerSideEncryptionMethod.AWSKMS, initiate.ServerSideEncryptionMethod);
        Assert.Equal(KmsKeyId, initiate.ServerSideEncryptionKeyManagementServiceKeyId);
    }

    [Fact]
    public void No_encryption_headers_without_a_key()
    {
        using var store = CreateS3Store(new S3StoreOptions { BucketName = "reports", Region = "eu-central-1" });

        Assert.Null(store.BuildPutObjectRequest("k", "text/csv", Stream.Null).ServerSideEncryptionMethod);
        Assert.Null(store.BuildInitiateMultipartUploadRequest("k", "text/csv").ServerSideEncryptionMethod);
    }

    [Theory]
    [InlineData(RequestChecksumCalculation.WHEN_SUPPORTED, true)]
    [InlineData(RequestChecksumCalculation.WHEN_REQUIRED, false)]
    public void Multipart_checksums_follow_the_checksum_setting(RequestChecksumCalculation setting, bool crc32)
    {
        using var store = CreateS3Store(new S3StoreOptions { BucketName = "reports", Region = "eu-central-1", RequestChecksumCalculation = setting });
        using var body = new MemoryStream(new byte[10]);

        var expected = crc32 ? ChecksumAlgorithm.CRC32 : null;
        Assert.Equal(expected, store.BuildInitiateMultipartUploadRequest("k", "text/csv").ChecksumAlgorithm);
        var part = store.BuildUploadPartRequest("k", "upload-1", 3, body);
        Assert.Equal(expected, part.ChecksumAlgorithm);
        Assert.Equal(3, part.PartNumber);
        Assert.Equal(10, part.PartSize);
    }

    [Theory]
    [InlineData(null, "partners/1/a.csv")]
    [InlineData("", "partners/1/a.csv")]
    [InlineData("reporting", "reporting/partners/1/a.csv")]
    [InlineData("/env/prod/", "env/prod/partners/1/a.csv")]
    public void Key_prefix_is_prepended_once(string? prefix, string expected)
    {
        using var store = CreateS3Store(new S3StoreOptions { BucketName = "reports", Region = "eu-central-1", KeyPrefix = prefix });

        Assert.Equal(expected, store.ObjectKeyOf("partners/1/a.csv"));
        Assert.Throws<ArgumentException>(() => store.ObjectKeyOf("../a.csv"));
    }

    [Fact]
    public void Service_url_and_region_configure_the_client()
    {
        var config = S3ClientFactory.CreateConfig(new S3StoreOptions
        {
            BucketName = "reports",
            ServiceUrl = "https://127.0.0.1:9000",
            Region = "eu-west-1",
            ForcePathStyle = true,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
        });

        Assert.Equal("https://127.0.0.1:9000", config.ServiceURL.TrimEnd('/'));
        Assert.Equal("eu-west-1", config.AuthenticationRegion);
        Assert.True(config.ForcePathStyle);
        Assert.Equal(RequestChecksumCalculation.WHEN_REQUIRED, config.RequestChecksumCalculation);
        Assert.Null(config.HttpClientFactory);
    }

    private static S3ObjectStore CreateS3Store(S3StoreOptions options) => new(options, NullLogger<S3ObjectStore>.Instance);

    private static ServiceProvider BuildProvider(Dictionary<string, string?> settings, string? contentRoot = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddSingleton<IHostEnvironment>(new TestHostEnvironment(contentRoot ?? Path.GetTempPath()));
        services.AddLogging();
        services.AddStorage();
        return services.BuildServiceProvider();
    }

    private sealed class TestHostEnvironment(string contentRoot) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = Environments.Development;

        public string ApplicationName { get; set; } = "ReportingApi.Tests";

        public string ContentRootPath { get; set; } = contentRoot;

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } =
            new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}
