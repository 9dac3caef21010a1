using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Lambda.Hosting.Events;
using Lambda.Hosting.RuntimeApi;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using ReportingApi.DropFolder;
using ReportingApi.Hosting;
using ReportingApi.Inbound;
using ReportingApi.IntegrationTests.Infrastructure;
using ReportingApi.PartnerAdmin;
using ReportingApi.Runs;
using ReportingApi.Storage;
using ReportingApi.Tests.Infrastructure;
using ReportingApi.TestSupport;
using ReportingApi.TestSupport.Aws;

namespace ReportingApi.IntegrationTests.DropFolder;

/// <summary>
/// The outbox on S3 as deployed: moto's versioned bucket, the app as on Lambda (SQLite, demo partners delivering to
/// folders, no background worker; the S3 notification handler executes the runs). Its objects live under a key prefix
/// of its own in the shared bucket. Notifications carry the version ids moto gave the uploads.
/// </summary>
public sealed class OutboxOnS3Fixture : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("reportingapi-outbox-s3-").FullName;

    public MotoObjectStore S3 { get; } = new();

    /// <summary>The store's key prefix: S3 keys are this, '/', then the app's keys.</summary>
    public string KeyPrefix { get; } = "outbox-tests-" + Guid.NewGuid().ToString("N")[..8];

    public ReportingApiFactory Host { get; private set; } = null!;

    public WebApplicationFactory<Program> App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await S3.InitializeAsync();
        var settings = new Dictionary<string, string?>(S3.CreateConfiguration(KeyPrefix))
        {
            ["Database:Provider"] = "Sqlite",
            ["Database:ConnectionString"] = $"Data Source={Path.Combine(_folder, "runs.db")}",
            ["Database:DemoDataContracts"] = "200",
        };
        Host = new ReportingApiFactory(settings);
        App = Host.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
        {
            services.RemoveRunWorker();
            services.AddLambdaEventHandlers();
        }));
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Host.DisposeAsync();
        S3.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>Uploads a file into the partner's outbox (or another folder of its own) as the partner's systems would; returns its S3 key and version.</summary>
    public async Task<(string Key, string VersionId)> UploadAsync(int partnerId, string name, byte[] content, string folder = "outbox")
    {
        var key = $"{KeyPrefix}/partners/{partnerId}/{folder}/{name}";
        using var s3 = S3.CreateS3Client();
        var put = await s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = MotoObjectStore.BucketName,
            Key = key,
            InputStream = new MemoryStream(content),
            ServerSideEncryptionMethod = ServerSideEncryptionMethod.AWSKMS,
            ServerSideEncryptionKeyManagementServiceKeyId = S3.KmsKeyArn,
        });
        return (key, put.VersionId);
    }

    /// <summary>Runs the S3 handler the way Lambda.Hosting does, for an ObjectCreated:Put of that version.</summary>
    public async Task<DropFolderOutcome> NotifyCreatedAsync(string key, string versionId)
    {
        var result = (DropFolderNotificationResult)(await NotifyAsync((key, versionId)))!;
        return Assert.Single(result.Objects);
    }

    /// <summary>One S3 notification of ObjectCreated:Put for each object, handled as Lambda.Hosting handles it.</summary>
    public async Task<object?> NotifyAsync(params (string Key, string VersionId)[] objects)
    {
        var records = objects.Select(o => new S3EventRecord("ObjectCreated:Put", DateTimeOffset.UtcNow, MotoServer.Region, MotoObjectStore.BucketName, o.Key, null, null, o.VersionId)).ToList();
        await using var scope = App.Services.CreateAsyncScope();
        var handler = scope.ServiceProvider.GetRequiredService<ILambdaEventHandler<S3Event>>();
        var invocation = new LambdaInvocation(Guid.NewGuid().ToString(), DateTimeOffset.UtcNow.AddMinutes(5), "arn:aws:lambda:eu-central-1:123456789012:function:reports", null, ReadOnlyMemory<byte>.Empty);
        return await handler.HandleAsync(new S3Event(records), invocation, CancellationToken.None);
    }
}

public sealed class OutboxOnS3Tests(OutboxOnS3Fixture fixture) : IClassFixture<OutboxOnS3Fixture>
{
    private const int Acme = 1;
    private const int Northwind = 2;

    [Fact]
    public async Task Each_version_of_an_outbox_file_is_delivered_once()
    {
        var first = RandomNumberGenerator.GetBytes(4_000);
        var second = RandomNumberGenerator.GetBytes(5_000);
        var (key, firstVersion) = await fixture.UploadAsync(Acme, "statement.pgp", first);

        var firstRun = await fixture.NotifyCreatedAsync(key, firstVersion);
        Assert.Equal("delivered", firstRun.Status);
        Assert.Equal(first, await File.ReadAllBytesAsync(Delivered("demo-acme", "statement.pgp")));

        var (_, secondVersion) = await fixture.UploadAsync(Acme, "statement.pgp", second);
        Assert.NotEqual(firstVersion, secondVersion);
        var secondRun = await fixture.NotifyCreatedAsync(key, secondVersion);
        var firstAgain = await fixture.NotifyCreatedAsync(key, firstVersion);

        Assert.Equal("delivered", secondRun.Status);
        Assert.NotEqual(firstRun.RunId, secondRun.RunId);
        Assert.Equal(second, await File.ReadAllBytesAsync(Delivered("demo-acme", "statement.pgp")));
        // S3 may notify a version twice: the same run, delivered once.
        Assert.Equal(firstRun.RunId, firstAgain.RunId);
        using var client = await fixture.Host.CreateClientForAsync(DemoClients.Acme);
        var run = (await client.GetFromJsonAsync<ReportRunResponse>($"/v1/report-runs/{firstRun.RunId}"))!;
        Assert.Single(run.Steps!, step => step.Status == "delivered");
    }

    [Fact]
    public async Task With_the_delete_flag_the_delivered_source_gets_a_delete_marker_and_its_version_stays()
    {
        using (var admin = await fixture.Host.CreateClientForAsync(DemoClients.Operator))
        {
            var northwind = (await admin.GetFromJsonAsync<PartnerResponse>($"/v1/admin/partners/{Northwind}", ApiJson.Options))!;
            using var update = await admin.PutAsJsonAsync($"/v1/admin/partners/{Northwind}", new
            {
                northwind.Name, northwind.ClientId, northwind.Active, northwind.EmployerIds, northwind.IpAllowlist, northwind.AllowedReports, northwind.AllowedFormats,
                deleteOutboxAfterDelivery = true,
            });
            Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        }

        var content = RandomNumberGenerator.GetBytes(3_000);
        var (key, version) = await fixture.UploadAsync(Northwind, "payments.pgp", content);

        var outcome = await fixture.NotifyCreatedAsync(key, version);

        Assert.Equal("delivered", outcome.Status);
        Assert.Equal(content, await File.ReadAllBytesAsync(Delivered("demo-northwind", "payments.pgp")));
        using var s3 = fixture.S3.CreateS3Client();
        var latest = await Assert.ThrowsAsync<AmazonS3Exception>(() => s3.GetObjectMetadataAsync(MotoObjectStore.BucketName, key));
        Assert.Equal(HttpStatusCode.NotFound, latest.StatusCode);
        // The bucket's lifecycle rule expires the old version; until then it can be restored.
        using var kept = await s3.GetObjectAsync(new GetObjectRequest { BucketName = MotoObjectStore.BucketName, Key = key, VersionId = version });
        using var bytes = new MemoryStream();
        await kept.ResponseStream.CopyToAsync(bytes);
        Assert.Equal(content, bytes.ToArray());
    }

    [Fact]
    public async Task A_notification_of_an_inbound_upload_and_an_outbox_file_processes_one_and_delivers_the_other()
    {
        // The partner's key on file is the key our test encryptor signs with, so the upload's signature is the partner's.
        using (var admin = await fixture.Host.CreateClientForAsync(DemoClients.Operator))
        {
            using var key = await admin.PutAsJsonAsync($"/v1/admin/partners/{Acme}/pgp-key", new { armoredPublicKey = TestPgpKeys.Company.ArmoredPublicKey });
            Assert.Equal(HttpStatusCode.OK, key.StatusCode);
        }

        var clear = RandomNumberGenerator.GetBytes(70_000);
        using var encrypted = new MemoryStream();
        await TestPgpKeys.Encryptor().EncryptAsync(new MemoryStream(clear), encrypted, TestPgpKeys.Validated(TestPgpKeys.Company.ArmoredPublicKey), "hires.csv");
        var upload = await fixture.UploadAsync(Acme, "hires.csv.pgp", encrypted.ToArray(), folder: "inbound");
        var plain = await fixture.UploadAsync(Acme, "plain.csv", clear, folder: "inbound");
        var outbox = await fixture.UploadAsync(Acme, "notice.pgp", RandomNumberGenerator.GetBytes(1_000));

        var result = Assert.IsType<S3NotificationResult>(await fixture.NotifyAsync(upload, plain, outbox));
        var again = Assert.IsType<InboundNotificationResult>(await fixture.NotifyAsync(upload));

        var stored = result.Inbound[0].File!;
        Assert.Equal((InboundFileStatus.Stored, TestPgpKeys.Company.Fingerprint), (stored.Status, stored.SignerFingerprint));
        Assert.Equal(stored.Id, Assert.Single(again.Objects).File!.Id);
        await using (var raw = await fixture.Host.Services.GetRequiredService<IObjectStore>().OpenReadAsync(stored.StoredKey!, default))
        using (var copy = new MemoryStream())
        {
            await raw.CopyToAsync(copy);
            Assert.Equal(clear, copy.ToArray());
        }

        Assert.Equal((InboundFileStatus.Rejected, InboundRejection.PlaintextNotAllowed), (result.Inbound[1].File!.Status, result.Inbound[1].File!.Rejection));
        Assert.Equal("delivered", Assert.Single(Assert.IsType<DropFolderNotificationResult>(result.DropFolder).Objects).Status);
        using var s3 = fixture.S3.CreateS3Client();
        var quarantined = await s3.GetObjectMetadataAsync(MotoObjectStore.BucketName, $"{fixture.KeyPrefix}/{result.Inbound[1].File!.QuarantineKey}");
        Assert.Equal(ServerSideEncryptionMethod.AWSKMS, quarantined.ServerSideEncryptionMethod);
    }

    private string Delivered(string clientId, string fileName) => Path.Combine(fixture.Host.SftpFolder(clientId), "reports", fileName);
}
