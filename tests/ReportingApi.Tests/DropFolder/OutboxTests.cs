using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Lambda.Hosting.Events;
using Lambda.Hosting.RuntimeApi;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using ReportingApi.DropFolder;
using ReportingApi.Hosting;
using ReportingApi.PartnerAdmin;
using ReportingApi.Partners;
using ReportingApi.Runs;
using ReportingApi.Tests.Infrastructure;
using ReportingApi.Tests.Runs;
using ReportingApi.TestSupport;

namespace ReportingApi.Tests.DropFolder;

/// <summary>
/// The app as on Lambda for S3 notifications: SQLite, the folder object store, demo partners delivering to folders,
/// the outbox handler registered, and no background worker (only the handler executes runs, as on Lambda).
/// </summary>
public sealed class OutboxFixture : IDisposable
{
    public const string Bucket = "reports-test-bucket";

    private readonly string _folder = Directory.CreateTempSubdirectory("reportingapi-outbox-").FullName;

    public OutboxFixture()
    {
        DatabasePath = Path.Combine(_folder, "runs.db");
        Host = new ReportingApiFactory(RunsFixture.Settings(DatabasePath));
        Factory = Host.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
        {
            services.RemoveRunWorker();
            services.AddLambdaEventHandlers();
        }));
    }

    public string DatabasePath { get; }

    public ReportingApiFactory Host { get; }

    public WebApplicationFactory<Program> Factory { get; }

    public async Task<HttpClient> ClientForAsync((string Id, string Secret) credentials)
    {
        var client = Factory.CreateClient();
        return client.WithToken(await DemoClients.GetTokenAsync(client, credentials, null));
    }

    /// <summary>Writes a file into the partner's outbox in the object store and returns its key.</summary>
    public async Task<string> DropAsync(int partnerId, string name, byte[] content)
    {
        var key = $"partners/{partnerId}/outbox/{name}";
        var path = ObjectPath(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, content);
        return key;
    }

    public string ObjectPath(string key) => Path.Combine(Host.ObjectsFolder, key);

    public static S3EventRecord Created(string key, string? etag = null, string eventName = "ObjectCreated:Put") =>
        new(eventName, DateTimeOffset.UtcNow, "eu-central-1", Bucket, key, 100, etag ?? Guid.NewGuid().ToString("N"), null);

    /// <summary>Runs the S3 handler the way Lambda.Hosting does: resolved in a scope of its own.</summary>
    public async Task<DropFolderNotificationResult> NotifyAsync(params S3EventRecord[] records)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var handler = scope.ServiceProvider.GetRequiredService<ILambdaEventHandler<S3Event>>();
        var invocation = new LambdaInvocation(Guid.NewGuid().ToString(), DateTimeOffset.UtcNow.AddMinutes(5), "arn:aws:lambda:eu-central-1:123456789012:function:reports", null, ReadOnlyMemory<byte>.Empty);
        return (DropFolderNotificationResult)(await handler.HandleAsync(new S3Event(records), invocation, CancellationToken.None))!;
    }

    public async Task<long> OutboxRunCountAsync()
    {
        // The app creates the database when it starts: start it first, whichever test comes first.
        _ = Factory.Services;
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DatabasePath}");
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM report_runs WHERE report = @report", new { report = DropFolderFiles.ReportId });
    }

    public void Dispose()
    {
        Factory.Dispose();
        Host.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}

public sealed class OutboxTests(OutboxFixture fixture) : IClassFixture<OutboxFixture>
{
    private const int Acme = 1;
    private const int Northwind = 2;

    [Fact]
    public async Task A_plain_file_is_encrypted_signed_delivered_with_its_checksum_and_kept()
    {
        var content = Encoding.UTF8.GetBytes("employee;amount\n1001;42.50\n" + new string('x', 200_000));
        var key = await fixture.DropAsync(Acme, "payroll-2026-05.csv", content);

        var outcome = (await fixture.NotifyAsync(OutboxFixture.Created(key))).Objects.Single();

        Assert.Null(outcome.Ignored);
        Assert.Equal("delivered", outcome.Status);
        using var client = await fixture.ClientForAsync(DemoClients.Acme);
        var run = (await client.GetFromJsonAsync<ReportRunResponse>($"/v1/report-runs/{outcome.RunId}"))!;
        Assert.Equal("delivered", run.Status);
        Assert.Equal(DropFolderFiles.ReportId, run.Report);
        Assert.Equal(DropFolderFiles.Format, run.Format);
        Assert.Equal(DropFolderFiles.ClientId, run.RequestedBy.ClientId);
        Assert.Equal(DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), run.From);
        Assert.Empty(run.Filters);
        Assert.Null(run.Rows);
        Assert.Equal("payroll-2026-05.csv.pgp", run.FileName);
        Assert.Equal(["queued", "rendering", "stored", "sending", "delivered"], run.Steps!.Select(step => step.Status));

        var delivered = Path.Combine(fixture.Host.SftpFolder("demo-acme"), "reports", run.FileName!);
        var bytes = await File.ReadAllBytesAsync(delivered);
        Assert.Equal(run.Bytes, bytes.Length);
        Assert.Equal(run.Sha256, Convert.ToHexStringLower(SHA256.HashData(bytes)));
        Assert.Equal($"{run.Sha256}  {run.FileName}\n", await File.ReadAllTextAsync(delivered + ".sha256"));
        Assert.Equal(content, await RunDeliveryTests.DecryptAsPartnerAsync(bytes, "demo-acme"));
        Assert.Equal(bytes, await client.GetByteArrayAsync($"/v1/report-runs/{run.Id}/file"));

        // Acme has not asked for deletion: the source stays.
        Assert.True(File.Exists(fixture.ObjectPath(key)));
    }

    [Fact]
    public async Task An_openpgp_file_is_delivered_byte_for_byte()
    {
        var content = RandomNumberGenerator.GetBytes(70_000);
        var key = await fixture.DropAsync(Acme, "already-encrypted.GPG", content);

        var outcome = (await fixture.NotifyAsync(OutboxFixture.Created(key))).Objects.Single();

        Assert.Equal("delivered", outcome.Status);
        var delivered = Path.Combine(fixture.Host.SftpFolder("demo-acme"), "reports", "already-encrypted.GPG");
        Assert.Equal(content, await File.ReadAllBytesAsync(delivered));
        Assert.Equal($"{Convert.ToHexStringLower(SHA256.HashData(content))}  already-encrypted.GPG\n", await File.ReadAllTextAsync(delivered + ".sha256"));
    }

    [Fact]
    public async Task The_same_object_notified_twice_makes_one_run_and_one_delivery()
    {
        var key = await fixture.DropAsync(Acme, "twice.txt", Encoding.UTF8.GetBytes("once only"));
        var record = OutboxFixture.Created(key, etag: "etag-twice");
        var before = await fixture.OutboxRunCountAsync();

        var first = (await fixture.NotifyAsync(record, record)).Objects;
        var second = (await fixture.NotifyAsync(record with { EventTime = record.EventTime.AddSeconds(3) })).Objects.Single();

        Assert.Equal(before + 1, await fixture.OutboxRunCountAsync());
        Assert.Single(first.Concat([second]).Select(outcome => outcome.RunId).Distinct());
        Assert.All(first.Concat([second]), outcome => Assert.Equal("delivered", outcome.Status));
        using var client = await fixture.ClientForAsync(DemoClients.Acme);
        var run = (await client.GetFromJsonAsync<ReportRunResponse>($"/v1/report-runs/{second.RunId}"))!;
        Assert.Single(run.Steps!, step => step.Status == "delivered");
        Assert.Single(run.Steps!, step => step.Status == "sending");

        // A new upload under the same key is a new object (another ETag): a second run.
        var again = (await fixture.NotifyAsync(OutboxFixture.Created(key, etag: "etag-twice-new"))).Objects.Single();
        Assert.NotEqual(second.RunId, again.RunId);
        Assert.Equal(before + 2, await fixture.OutboxRunCountAsync());
    }

    [Fact]
    public async Task Objects_outside_an_outbox_of_a_known_partner_and_other_events_are_ignored()
    {
        var before = await fixture.OutboxRunCountAsync();
        var kept = await fixture.DropAsync(Acme, "removed.csv", [1, 2, 3]);

        var outcomes = (await fixture.NotifyAsync(
            OutboxFixture.Created("partners/1/outbound/2026/05/contracts_2026-05-01_2026-05-31_run_1.csv.pgp"),
            OutboxFixture.Created("partners/1/outbox/nested/file.csv"),
            OutboxFixture.Created("partners/1/outbox/file.csv.sha256"),
            OutboxFixture.Created("partners/01/outbox/file.csv"),
            OutboxFixture.Created("partners/transfer-staging/0a1b/file.csv.pgp.part"),
            OutboxFixture.Created("elsewhere/partners/1/outbox/file.csv"),
            OutboxFixture.Created("partners/4242/outbox/file.csv"),
            OutboxFixture.Created(kept, eventName: "ObjectRemoved:Delete"))).Objects;

        Assert.Equal(8, outcomes.Count);
        Assert.All(outcomes, outcome =>
        {
            Assert.NotNull(outcome.Ignored);
            Assert.Null(outcome.RunId);
        });
        Assert.Equal("no such partner", outcomes[6].Ignored);
        Assert.Equal(before, await fixture.OutboxRunCountAsync());
        Assert.True(File.Exists(fixture.ObjectPath(kept)));
    }

    [Fact]
    public async Task With_the_delete_flag_the_source_is_deleted_once_delivered()
    {
        using var admin = await fixture.ClientForAsync(DemoClients.Operator);
        var northwind = (await admin.GetFromJsonAsync<PartnerResponse>($"/v1/admin/partners/{Northwind}"))!;
        using var update = await admin.PutAsJsonAsync($"/v1/admin/partners/{Northwind}", new
        {
            northwind.Name, northwind.ClientId, northwind.Active, northwind.EmployerIds, northwind.IpAllowlist, northwind.AllowedReports, northwind.AllowedFormats,
            deleteOutboxAfterDelivery = true,
        });
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        var key = await fixture.DropAsync(Northwind, "to-delete.csv", Encoding.UTF8.GetBytes("a,b\n1,2\n"));

        var outcome = (await fixture.NotifyAsync(OutboxFixture.Created(key))).Objects.Single();

        Assert.Equal("delivered", outcome.Status);
        Assert.False(File.Exists(fixture.ObjectPath(key)));
        Assert.True(File.Exists(Path.Combine(fixture.Host.SftpFolder("demo-northwind"), "reports", "to-delete.csv.pgp")));
        using var client = await fixture.ClientForAsync(DemoClients.Northwind);
        var run = (await client.GetFromJsonAsync<ReportRunResponse>($"/v1/report-runs/{outcome.RunId}"))!;
        Assert.Equal(["delivered", DropFolderFiles.SourceDeletedStep], run.Steps!.TakeLast(2).Select(step => step.Status));
        Assert.Equal("delivered", run.Status);
    }

    [Fact]
    public async Task A_partner_without_delivery_target_gets_a_failed_run_and_keeps_the_file()
    {
        using var admin = await fixture.ClientForAsync(DemoClients.Operator);
        using var created = await admin.PostAsJsonAsync("/v1/admin/partners", new { name = "No Target Ltd", clientId = "outbox-no-target", employerIds = new[] { 12 }, deleteOutboxAfterDelivery = true });
        var partner = (await created.Content.ReadFromJsonAsync<PartnerResponse>())!;
        using var keyResponse = await admin.PutAsJsonAsync($"/v1/admin/partners/{partner.Id}/pgp-key", new { armoredPublicKey = TestPgpKeys.Partner.ArmoredPublicKey });
        Assert.Equal(HttpStatusCode.OK, keyResponse.StatusCode);
        var key = await fixture.DropAsync(partner.Id, "stays.csv", [1, 2, 3]);

        var outcome = (await fixture.NotifyAsync(OutboxFixture.Created(key))).Objects.Single();

        Assert.Equal("failed", outcome.Status);
        Assert.True(File.Exists(fixture.ObjectPath(key)));
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={fixture.DatabasePath}");
        var reason = await connection.ExecuteScalarAsync<string>("SELECT failure_reason FROM report_runs WHERE id = @id", new { id = outcome.RunId });
        Assert.Equal("The partner has no PGP key or delivery target configured.", reason);
    }

    [Fact]
    public async Task An_inactive_partner_gets_a_failed_run_and_keeps_the_file()
    {
        using var admin = await fixture.ClientForAsync(DemoClients.Operator);
        using var created = await admin.PostAsJsonAsync("/v1/admin/partners", new { name = "Dormant Ltd", clientId = "outbox-inactive", active = false, employerIds = new[] { 12 } });
        var partner = (await created.Content.ReadFromJsonAsync<PartnerResponse>())!;
        using var keyResponse = await admin.PutAsJsonAsync($"/v1/admin/partners/{partner.Id}/pgp-key", new { armoredPublicKey = TestPgpKeys.Partner.ArmoredPublicKey });
        using var delivery = await admin.PutAsJsonAsync($"/v1/admin/partners/{partner.Id}/delivery", new { kind = "Folder", folderPath = Path.Combine(fixture.Host.WorkFolder, "dormant"), remoteDirectory = "/in" });
        Assert.Equal(HttpStatusCode.OK, delivery.StatusCode);
        var key = await fixture.DropAsync(partner.Id, "dormant.csv", [4, 5, 6]);

        var outcome = (await fixture.NotifyAsync(OutboxFixture.Created(key))).Objects.Single();

        Assert.Equal("failed", outcome.Status);
        Assert.True(File.Exists(fixture.ObjectPath(key)));
        Assert.False(Directory.Exists(Path.Combine(fixture.Host.WorkFolder, "dormant", "in")) && Directory.EnumerateFiles(Path.Combine(fixture.Host.WorkFolder, "dormant", "in")).Any());
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={fixture.DatabasePath}");
        var reason = await connection.ExecuteScalarAsync<string>("SELECT failure_reason FROM report_runs WHERE id = @id", new { id = outcome.RunId });
        Assert.Equal("The partner is inactive: files in its outbox are not delivered.", reason);
    }

    [Fact]
    public async Task A_file_gone_before_the_run_fails_it_with_a_clear_reason()
    {
        var outcome = (await fixture.NotifyAsync(OutboxFixture.Created("partners/1/outbox/vanished.csv"))).Objects.Single();

        Assert.Equal("failed", outcome.Status);
        using var client = await fixture.ClientForAsync(DemoClients.Acme);
        var run = (await client.GetFromJsonAsync<ReportRunResponse>($"/v1/report-runs/{outcome.RunId}"))!;
        Assert.Equal("The outbox file 'partners/1/outbox/vanished.csv' is no longer in the object store.", run.FailureReason);
        Assert.Equal(1, run.Attempts);
    }

    [Fact]
    public async Task The_admin_api_round_trips_delete_outbox_after_delivery()
    {
        using var admin = await fixture.ClientForAsync(DemoClients.Operator);
        using var created = await admin.PostAsJsonAsync("/v1/admin/partners", new { name = "Flag GmbH", clientId = "outbox-flag", employerIds = new[] { 11 }, deleteOutboxAfterDelivery = true });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var partner = (await created.Content.ReadFromJsonAsync<PartnerResponse>())!;
        Assert.True(partner.DeleteOutboxAfterDelivery);
        Assert.True((await admin.GetFromJsonAsync<PartnerResponse>($"/v1/admin/partners/{partner.Id}"))!.DeleteOutboxAfterDelivery);
        Assert.True((await fixture.Factory.Services.GetRequiredService<PartnerStore>().GetAsync(partner.Id, CancellationToken.None)).DeleteDropFolderFilesAfterDelivery);

        // PUT replaces: leaving the flag out turns it off (the default).
        using var updated = await admin.PutAsJsonAsync($"/v1/admin/partners/{partner.Id}", new { name = "Flag GmbH", clientId = "outbox-flag", employerIds = new[] { 11 } });
        Assert.False((await updated.Content.ReadFromJsonAsync<PartnerResponse>())!.DeleteOutboxAfterDelivery);
        Assert.Contains((await admin.GetFromJsonAsync<List<PartnerResponse>>("/v1/admin/partners"))!, p => p.Id == partner.Id && !p.DeleteOutboxAfterDelivery);
    }
}
