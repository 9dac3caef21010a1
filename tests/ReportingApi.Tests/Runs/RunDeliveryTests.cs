using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Dapper;
using ReportingApi.Pgp;
using ReportingApi.Runs;
using ReportingApi.TestSupport;

namespace ReportingApi.Tests.Runs;

public sealed class RunDeliveryTests(RunsFixture fixture) : IClassFixture<RunsFixture>
{
    private static readonly object ContractsQ1 = new { report = "contracts", format = "csv", from = "2026-01-01", to = "2026-03-31" };

    [Fact]
    public async Task A_run_is_delivered_encrypted_signed_and_checksummed_and_its_steps_recorded()
    {
        using var client = await fixture.ClientForAsync(DemoClients.Acme);
        using var response = await client.PostRunAsync(new { report = "installments", format = "json", from = "2026-10-01", to = "2026-10-31", filters = new { status = "paid" } }, "delivery-1");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = (await response.Content.ReadFromJsonAsync<ReportRunResponse>())!;
        Assert.Equal($"/v1/report-runs/{accepted.Id}", response.Headers.Location?.AbsolutePath);
        var run = await client.WaitUntilFinishedAsync(accepted.Id);

        Assert.Equal("delivered", run.Status);
        Assert.Equal(["queued", "rendering", "stored", "sending", "delivered"], run.Steps!.Select(step => step.Status));
        Assert.True(run.Steps!.Zip(run.Steps!.Skip(1)).All(pair => pair.First.At <= pair.Second.At));
        Assert.Equal("demo-acme", run.RequestedBy.ClientId);
        Assert.Equal("127.0.0.1", run.RequestedBy.SourceIp);
        Assert.Equal($"installments_2026-10-01_2026-10-31_{run.Id}.json.pgp", run.FileName);

        // The partner's "SFTP server": only final names, the file and its checksum.
        var remote = Path.Combine(fixture.Factory.SftpFolder("demo-acme"), "reports");
        var file = Path.Combine(remote, run.FileName!);
        Assert.Equal([run.FileName, run.FileName + ".sha256"], Directory.GetFiles(remote).Select(Path.GetFileName).Where(name => name!.Contains(run.Id, StringComparison.Ordinal)).Order());
        var bytes = await File.ReadAllBytesAsync(file);
        Assert.Equal(run.Bytes, bytes.Length);
        Assert.Equal(run.Sha256, Convert.ToHexStringLower(SHA256.HashData(bytes)));
        Assert.Equal($"{run.Sha256}  {run.FileName}\n", await File.ReadAllTextAsync(file + ".sha256"));

        // Decrypted with the partner's key and verified against ours, it is the direct download of the same report.
        var plain = await DecryptAsPartnerAsync(bytes, "demo-acme");
        var direct = await client.GetByteArrayAsync("/v1/reports/installments?format=json&from=2026-10-01&to=2026-10-31&status=paid");
        Assert.Equal(direct, plain);
        Assert.Equal(run.Rows, ReportFiles.Parse(ReportingApi.Reports.ReportFormat.Json, plain, ReportingApi.Reports.ReportCatalog.Installments).Rows.Count);
        Assert.True(run.Rows > 0);

        // The file endpoint serves the same encrypted bytes.
        Assert.Equal(bytes, await client.GetByteArrayAsync($"/v1/report-runs/{run.Id}/file"));
    }

    [Fact]
    public async Task An_armored_run_is_ascii_armored()
    {
        using var client = await fixture.ClientForAsync(DemoClients.Northwind);
        var run = await client.CreateAndWaitAsync(new { report = "bikes", format = "xlsx", from = "2026-01-01", to = "2026-01-31", armored = true });

        Assert.Equal("delivered", run.Status);
        var text = await File.ReadAllTextAsync(Path.Combine(fixture.Factory.SftpFolder("demo-northwind"), "reports", run.FileName!));
        Assert.StartsWith("-----BEGIN PGP MESSAGE-----", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_idempotency_key_and_body_make_one_run_and_one_file_even_concurrently()
    {
        using var client = await fixture.ClientForAsync(DemoClients.Northwind);
        var key = "same-" + Guid.NewGuid();
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => client.PostRunAsync(ContractsQ1, key)));

        Assert.All(responses, response => Assert.Equal(HttpStatusCode.Accepted, response.StatusCode));
        var ids = await Task.WhenAll(responses.Select(async response => (await response.Content.ReadFromJsonAsync<ReportRunResponse>())!.Id));
        Assert.Single(ids.Distinct());
        var run = await client.WaitUntilFinishedAsync(ids[0]);
        Assert.Equal("delivered", run.Status);
        Assert.Single(run.Steps!, step => step.Status == "delivered");

        using var replay = await client.PostRunAsync(ContractsQ1, key);
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(ids[0], (await replay.Content.ReadFromJsonAsync<ReportRunResponse>())!.Id);
        await using var database = fixture.OpenDatabase();
        Assert.Equal(1, await database.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM report_runs WHERE idempotency_key = @key", new { key }));
        Assert.Single(Directory.GetFiles(Path.Combine(fixture.Factory.SftpFolder("demo-northwind"), "reports"), $"*{ids[0]}*.pgp"));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task The_same_idempotency_key_with_another_body_is_422()
    {
        using var client = await fixture.ClientForAsync(DemoClients.Acme);
        var key = "other-body-" + Guid.NewGuid();
        using var first = await client.PostRunAsync(ContractsQ1, key);
        using var second = await client.PostRunAsync(new { report = "contracts", format = "xlsx", from = "2026-01-01", to = "2026-03-31" }, key);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        await Api.AuthTests.AssertProblemAsync(second, HttpStatusCode.UnprocessableEntity, "idempotency-key-reused");
    }

    [Fact]
    public async Task Keys_are_per_partner()
    {
        var key = "shared-" + Guid.NewGuid();
        using var acme = await fixture.ClientForAsync(DemoClients.Acme);
        using var northwind = await fixture.ClientForAsync(DemoClients.Northwind);
        using var a = await acme.PostRunAsync(ContractsQ1, key);
        using var b = await northwind.PostRunAsync(ContractsQ1, key);

        // Both are new runs: neither is the other's run replayed.
        Assert.Equal(HttpStatusCode.Accepted, a.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, b.StatusCode);
        Assert.False(a.Headers.Contains("Idempotent-Replayed"));
        Assert.False(b.Headers.Contains("Idempotent-Replayed"));
        var acmeRun = (await a.Content.ReadFromJsonAsync<ReportRunResponse>())!;
        var northwindRun = (await b.Content.ReadFromJsonAsync<ReportRunResponse>())!;
        Assert.NotEqual(acmeRun.Id, northwindRun.Id);
        Assert.Equal(DemoClients.Acme.Id, acmeRun.RequestedBy.ClientId);
        Assert.Equal(DemoClients.Northwind.Id, northwindRun.RequestedBy.ClientId);

        // Each partner's run is its own, and each is delivered to that partner.
        Assert.Equal("delivered", (await acme.WaitUntilFinishedAsync(acmeRun.Id)).Status);
        Assert.Equal("delivered", (await northwind.WaitUntilFinishedAsync(northwindRun.Id)).Status);
        Assert.Single(Directory.GetFiles(Path.Combine(fixture.Factory.SftpFolder(DemoClients.Acme.Id), "reports"), $"*{acmeRun.Id}*.pgp"));
        Assert.Single(Directory.GetFiles(Path.Combine(fixture.Factory.SftpFolder(DemoClients.Northwind.Id), "reports"), $"*{northwindRun.Id}*.pgp"));
    }

    [Fact]
    public async Task A_partner_sees_only_its_own_runs()
    {
        using var acme = await fixture.ClientForAsync(DemoClients.Acme);
        using var northwind = await fixture.ClientForAsync(DemoClients.Northwind);
        var run = await acme.CreateAndWaitAsync(ContractsQ1);

        using var get = await northwind.GetAsync($"/v1/report-runs/{run.Id}");
        using var file = await northwind.GetAsync($"/v1/report-runs/{run.Id}/file");
        using var redeliver = await northwind.PostAsync($"/v1/report-runs/{run.Id}/redeliver", null);
        await Api.AuthTests.AssertProblemAsync(get, HttpStatusCode.NotFound, "run-not-found");
        await Api.AuthTests.AssertProblemAsync(file, HttpStatusCode.NotFound, "run-not-found");
        await Api.AuthTests.AssertProblemAsync(redeliver, HttpStatusCode.NotFound, "run-not-found");
        var page = (await northwind.GetFromJsonAsync<ReportRunPage>("/v1/report-runs?pageSize=100"))!;
        Assert.DoesNotContain(page.Items, item => item.Id == run.Id);
    }

    [Fact]
    public async Task Runs_are_listed_newest_first_paged_and_filtered_by_status()
    {
        using var client = await fixture.ClientForAsync(DemoClients.Contoso);
        var created = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            created.Add((await client.CreateAndWaitAsync(new { report = "employees", format = "csv", from = $"2026-0{i + 1}-01", to = $"2026-0{i + 1}-28" })).Id);
        }

        var first = (await client.GetFromJsonAsync<ReportRunPage>("/v1/report-runs?pageSize=2"))!;
        var second = (await client.GetFromJsonAsync<ReportRunPage>("/v1/report-runs?pageSize=2&page=2"))!;
        Assert.Equal(2, first.NextPage);
        Assert.Equal(created.AsEnumerable().Reverse(), first.Items.Concat(second.Items).Select(run => run.Id).Take(3));
        Assert.Empty((await client.GetFromJsonAsync<ReportRunPage>("/v1/report-runs?status=failed"))!.Items);
        Assert.Equal(3, (await client.GetFromJsonAsync<ReportRunPage>("/v1/report-runs?status=delivered"))!.Items.Count);
    }

    [Fact]
    public async Task Redelivery_sends_the_same_stored_file_again()
    {
        using var client = await fixture.ClientForAsync(DemoClients.Acme);
        var run = await client.CreateAndWaitAsync(new { report = "bikes", format = "csv", from = "2026-02-01", to = "2026-02-28" });
        var path = Path.Combine(fixture.Factory.SftpFolder("demo-acme"), "reports", run.FileName!);
        var original = await File.ReadAllBytesAsync(path);
        File.Delete(path);

        using var response = await client.PostAsync($"/v1/report-runs/{run.Id}/redeliver", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var again = await client.WaitUntilFinishedAsync(run.Id);

        Assert.Equal("delivered", again.Status);
        Assert.Equal(original, await File.ReadAllBytesAsync(path));
        Assert.Contains(again.Steps!, step => step.Status == "redeliver");
        Assert.Equal(2, again.Steps!.Count(step => step.Status == "delivered"));
        Assert.Equal(1, again.Steps!.Count(step => step.Status == "rendering"));
    }

    internal static async Task<byte[]> DecryptAsPartnerAsync(byte[] encrypted, string clientId)
    {
        var folder = TestPgpKeys.DemoKeysFolder;
        var partnerKey = UnlockedPgpKey.Unlock(
            await File.ReadAllTextAsync(Path.Combine(folder, $"{clientId}.secret.asc")),
            (await File.ReadAllLinesAsync(Path.Combine(folder, $"{clientId}.passphrase")))[0],
            DateTimeOffset.UtcNow);
        var company = UnlockedPgpKey.Unlock(await File.ReadAllTextAsync(TestPgpKeys.CompanySecretKeyPath), TestPgpKeys.CompanyPassphrase, DateTimeOffset.UtcNow);
        using var output = new MemoryStream();
        var result = await PgpDecryptor.DecryptAsync(new MemoryStream(encrypted), output, partnerKey, [company.PublicKeyRing]);
        Assert.True(result.SignatureValid, $"signature: {result.Signature}");
        Assert.Equal(company.Fingerprint, result.SignerFingerprint);
        return output.ToArray();
    }
}
