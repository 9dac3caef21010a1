using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Amazon.S3.Model;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ReportingApi.Demo;
using ReportingApi.IntegrationTests.Infrastructure;
using ReportingApi.IntegrationTests.Pgp;
using ReportingApi.Reports;
using ReportingApi.Runs;
using ReportingApi.TestSupport;

namespace ReportingApi.IntegrationTests.Runs;

/// <summary>
/// Report runs end to end on real parts (MariaDB, S3 on moto over HTTPS, OpenSSH sshd, gpg), and what a run does when one
/// of them fails: it ends failed with a reason a partner can read and no file under a final name, or it recovers; and
/// a redelivery succeeds once the fault is gone. The fast tests (SQLite, folder delivery) cover the API's rules.
/// </summary>
[Collection(MariaDbCollectionDefinition.Name)]
public sealed class ReportDeliveryTests(DeliveryEnvironment environment) : IClassFixture<DeliveryEnvironment>
{
    private static readonly DemoPartner Acme = DemoPartners.All.Single(p => p.ClientId == DemoClients.Acme.Id);
    private static readonly DemoPartner Northwind = DemoPartners.All.Single(p => p.ClientId == DemoClients.Northwind.Id);
    private static readonly DemoPartner Contoso = DemoPartners.All.Single(p => p.ClientId == DemoClients.Contoso.Id);

    private static readonly string From = ReportDownloads.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    private static readonly string To = ReportDownloads.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Active contracts of a quarter, as CSV: the same request as a direct download of <see cref="ContractsUrl"/>.</summary>
    private static readonly object ActiveContracts = new { report = "contracts", format = "csv", from = From, to = To, filters = new { status = "active" } };
    private static readonly string ContractsUrl = ReportDownloads.Url(ReportCatalog.Contracts, ReportFormat.Csv, "&status=active");

    [Fact]
    public async Task A_run_is_delivered_by_sftp_and_gpg_decrypts_and_verifies_it_into_the_direct_download()
    {
        var upload = await environment.DeliverBySftpAsync(Acme.Id, "end-to-end");
        using var client = await environment.ClientForAsync(DemoClients.Acme);

        var accepted = await client.StartRunAsync(ActiveContracts);
        var (run, json) = await client.WaitUntilFinishedAsync(accepted.Id);

        Assert.True(run.Status == "delivered", json);
        AssertSteps(run, "queued", "rendering", "stored", "sending", "delivered");
        Assert.Equal(1, run.Attempts);
        var fileName = $"contracts_{From}_{To}_{run.Id}.csv.pgp";
        Assert.Equal(fileName, run.FileName);

        // On the partner's server: the file and its checksum under their final names, nothing else (no .part).
        Assert.Equal([fileName, fileName + ".sha256"], FileNames(upload));
        var delivered = Path.Combine(upload, fileName);
        Assert.Equal(run.Bytes, new FileInfo(delivered).Length);
        Assert.Equal(run.Sha256, await Sha256Async(delivered));
        Assert.Equal($"{run.Sha256}  {fileName}\n", await File.ReadAllTextAsync(delivered + ".sha256"));
        var check = await RunProcessAsync("sha256sum", upload, "-c", fileName + ".sha256");
        Assert.True(check.ExitCode == 0, check.Output + check.Errors);
        Assert.Equal($"{fileName}: OK", check.Output.Trim());

        // The partner decrypts with real gpg, which verifies our signature.
        using var gpg = new GnuPgHome();
        var plaintext = gpg.File("plaintext.csv");
        var decryption = gpg.DecryptAsDemoPartner(DemoClients.Acme.Id, delivered, plaintext);

        Assert.True(decryption.ExitCode == 0, decryption.Errors);
        Assert.True(decryption.HasStatus("DECRYPTION_OKAY"), decryption.Errors);
        Assert.True(decryption.HasStatus("GOODMDC"), decryption.Errors);
        Assert.True(decryption.HasStatus("GOODSIG"), decryption.Errors);
        Assert.False(decryption.HasStatus("BADSIG") || decryption.HasStatus("ERRSIG") || decryption.HasStatus("BADMDC") || decryption.HasStatus("DECRYPTION_FAILED"), decryption.Errors);
        // VALIDSIG <signing key fpr> ... <primary key fpr>: the key the app was given to sign with.
        Assert.Equal(CompanyFingerprint(gpg), decryption.StatusFields("VALIDSIG")![9]);
        Assert.Equal($"contracts_{From}_{To}_{run.Id}.csv", decryption.StatusFields("PLAINTEXT")![2]);

        // The plaintext is the direct download of the same report, byte for byte.
        var direct = gpg.File("direct.csv");
        using (var response = await client.GetAsync(ContractsUrl, HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await using var file = File.Create(direct);
            await response.Content.CopyToAsync(file);
        }

        Assert.Equal(new FileInfo(direct).Length, new FileInfo(plaintext).Length);
        Assert.Equal(await Sha256Async(direct), await Sha256Async(plaintext));
        await using (var content = File.OpenRead(plaintext))
        {
            var rows = (await ReportFiles.ReadAsync(ReportFormat.Csv, content, ReportCatalog.Contracts)).Rows;
            Assert.Equal(run.Rows, rows.Count);
            Assert.True(rows.Count > 0);
        }

        // In the object store: the file and its checksum in the partner's outbound folder of the run's month, SSE-KMS.
        var createdAt = run.CreatedAt.ToUniversalTime();
        var folder = $"partners/{Acme.Id}/outbound/{createdAt:yyyy}/{createdAt:MM}/";
        Assert.Equal([folder + fileName, folder + fileName + ".sha256"], await ObjectKeysOfRunAsync(Acme.Id, run.Id));
        using var s3 = environment.ObjectStore.CreateS3Client();
        using (var stored = await s3.GetObjectAsync(MotoObjectStore.BucketName, folder + fileName))
        {
            Assert.Equal(run.Sha256, Convert.ToHexStringLower(await SHA256.HashDataAsync(stored.ResponseStream)));
            Assert.Equal(environment.ObjectStore.KmsKeyArn, stored.ServerSideEncryptionKeyManagementServiceKeyId);
        }

        using var checksum = await s3.GetObjectAsync(MotoObjectStore.BucketName, folder + fileName + ".sha256");
        using var reader = new StreamReader(checksum.ResponseStream);
        Assert.Equal($"{run.Sha256}  {fileName}\n", await reader.ReadToEndAsync());
    }

    [Fact]
    public async Task Two_concurrent_posts_with_one_idempotency_key_make_one_run_and_one_file()
    {
        var upload = await environment.DeliverBySftpAsync(Contoso.Id, "idempotency");
        using var client = await environment.ClientForAsync(DemoClients.Contoso);
        var key = "concurrent-" + Guid.NewGuid();

        var responses = await Task.WhenAll(client.PostRunAsync(ActiveContracts, key), client.PostRunAsync(ActiveContracts, key));
        try
        {
            Assert.All(responses, response => Assert.Equal(HttpStatusCode.Accepted, response.StatusCode));
            var ids = await Task.WhenAll(responses.Select(async response => (await response.Content.ReadFromJsonAsync<ReportRunResponse>())!.Id));
            var runId = Assert.Single(ids.Distinct());
            // Exactly one of the two made the run; the other was answered with it.
            Assert.Single(responses, response => !response.Headers.Contains("Idempotent-Replayed"));

            var (run, json) = await client.WaitUntilFinishedAsync(runId);
            Assert.True(run.Status == "delivered", json);
            Assert.Single(run.Steps!, step => step.Status == "rendering");
            Assert.Single(run.Steps!, step => step.Status == "delivered");
            Assert.Equal([run.FileName!, run.FileName + ".sha256"], FileNames(upload));
            Assert.Equal(2, (await ObjectKeysOfRunAsync(Contoso.Id, runId)).Count);
            await using var connection = await MariaDbServer.ConnectionFactory(environment.ConnectionString).OpenAsync();
            Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM report_runs WHERE idempotency_key = @key", new { key }));
        }
        finally
        {
            foreach (var response in responses)
            {
                response.Dispose();
            }
        }
    }

    [Fact]
    public async Task With_the_sftp_server_down_the_run_is_retried_then_failed_and_redelivered_once_it_is_back()
    {
        var upload = await environment.DeliverBySftpAsync(Northwind.Id, "sftp-down");
        using var client = await environment.ClientForAsync(DemoClients.Northwind);

        ReportRunResponse run;
        string json;
        environment.Sftp.Stop();
        try
        {
            var accepted = await client.StartRunAsync(ActiveContracts);
            (run, json) = await client.WaitUntilFinishedAsync(accepted.Id);
        }
        finally
        {
            await environment.Sftp.StartAsync();
        }

        AssertFailedReadably(run, json, "Could not reach SFTP server", "Connection refused");
        Assert.Equal(DeliveryEnvironment.MaxDeliveryAttempts, run.Attempts);
        Assert.Equal(DeliveryEnvironment.MaxDeliveryAttempts - 1, run.Steps!.Count(step => step.Status == "retry-scheduled"));
        // A retry sends the stored file again; it is rendered once.
        Assert.Single(run.Steps!, step => step.Status == "rendering");
        Assert.Empty(FileNames(upload));

        var (redelivered, redeliveredJson) = await client.RedeliverAndWaitAsync(run.Id);

        Assert.True(redelivered.Status == "delivered", redeliveredJson);
        Assert.Null(redelivered.FailureReason);
        Assert.Single(redelivered.Steps!, step => step.Status == "rendering");
        Assert.Single(redelivered.Steps!, step => step.Status == "delivered");
        Assert.Equal([run.FileName!, run.FileName + ".sha256"], FileNames(upload));
        Assert.Equal(run.Sha256, await Sha256Async(Path.Combine(upload, run.FileName!)));
    }

    [Fact]
    public async Task A_wrong_pinned_host_key_fails_the_run_without_retrying_and_redelivery_succeeds_once_it_is_fixed()
    {
        var otherHostKey = await SshdServer.GenerateKeyPairAsync(Path.Combine(environment.Sftp.WorkDirectory, $"other_host_key_{Guid.NewGuid():N}"));
        var upload = await environment.DeliverBySftpAsync(Contoso.Id, "wrong-host-key", hostKey: otherHostKey);
        using var client = await environment.ClientForAsync(DemoClients.Contoso);

        var accepted = await client.StartRunAsync(ActiveContracts);
        var (run, json) = await client.WaitUntilFinishedAsync(accepted.Id);

        // The reason names the key the server showed by its fingerprint, as ssh-keygen -l prints it.
        AssertFailedReadably(run, json, "host key", await SshdServer.FingerprintAsync(environment.Sftp.HostKey));
        // Not transient: retrying cannot help, so it fails at the first attempt.
        Assert.Equal(1, run.Attempts);
        AssertSteps(run, "queued", "rendering", "stored", "sending", "failed");
        Assert.Empty(FileNames(upload));

        await environment.SetSftpDeliveryAsync(Contoso.Id, upload);
        var (redelivered, redeliveredJson) = await client.RedeliverAndWaitAsync(run.Id);

        Assert.True(redelivered.Status == "delivered", redeliveredJson);
        Assert.Equal([run.FileName!, run.FileName + ".sha256"], FileNames(upload));
        Assert.Equal(run.Sha256, await Sha256Async(Path.Combine(upload, run.FileName!)));
    }

    [Fact]
    public async Task A_run_is_delivered_by_sftp_with_a_password_login_read_through_the_secret_source()
    {
        var upload = await environment.DeliverBySftpAsync(Northwind.Id, "password-login", byPassword: true);
        using var client = await environment.ClientForAsync(DemoClients.Northwind);

        var (run, json) = await client.WaitUntilFinishedAsync((await client.StartRunAsync(ActiveContracts)).Id);

        Assert.True(run.Status == "delivered", json);
        Assert.Equal([run.FileName!, run.FileName + ".sha256"], FileNames(upload));
        Assert.Equal(run.Sha256, await Sha256Async(Path.Combine(upload, run.FileName!)));
        Assert.Contains($"Accepted password for {SshdServer.PasswordUser}", environment.Sftp.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_connection_dropped_mid_upload_is_retried_and_the_retry_delivers_the_whole_file()
    {
        // Past the SSH handshake and login (a few KB from the client), inside the upload of a year of installments
        // (about 30 KB encrypted: rows in report order compress well).
        const int FaultAfterBytes = 16 * 1024;
        await using var relay = new FaultyTcpRelay(environment.Sftp.Port, FaultAfterBytes, RelayFault.Drop);
        var upload = await environment.DeliverBySftpAsync(Acme.Id, "dropped", port: relay.Port);
        using var client = await environment.ClientForAsync(DemoClients.Acme);
        var report = new { report = "installments", format = "json", from = "2026-01-01", to = "2026-12-31" };

        var (run, json) = await client.WaitUntilFinishedAsync((await client.StartRunAsync(report)).Id);

        Assert.True(relay.Faulted.IsCompleted, json);
        Assert.True(run.Status == "delivered", json);
        Assert.Equal(2, run.Attempts);
        var retry = Assert.Single(run.Steps!, step => step.Status == "retry-scheduled");
        Assert.Contains($"Attempt 1 failed: The connection to SFTP server {environment.Sftp.Host}:{relay.Port} was lost while uploading {upload}/{run.FileName} (", retry.Detail, StringComparison.Ordinal);
        Assert.Single(run.Steps!, step => step.Status == "rendering");
        Assert.Equal([run.FileName!, run.FileName + ".sha256"], FileNames(upload));
        Assert.True(run.Bytes > FaultAfterBytes, $"{run.Bytes} bytes: too small to be cut mid-upload");
        Assert.Equal(run.Bytes, new FileInfo(Path.Combine(upload, run.FileName!)).Length);
        Assert.Equal(run.Sha256, await Sha256Async(Path.Combine(upload, run.FileName!)));
    }

    [Fact]
    public async Task With_the_object_store_down_nothing_is_stored_or_delivered_and_redelivery_renders_and_stores_it()
    {
        var upload = await environment.DeliverBySftpAsync(Acme.Id, "object-store-down");
        using var client = await environment.ClientForAsync(DemoClients.Acme);

        ReportRunResponse run;
        string json;
        environment.ObjectStore.Stop();
        try
        {
            var accepted = await client.StartRunAsync(ActiveContracts);
            (run, json) = await client.WaitUntilFinishedAsync(accepted.Id);
        }
        finally
        {
            await environment.ObjectStore.StartAsync();
        }

        // That the reason names the object store is An_object_store_outage_is_named_in_the_reason.
        AssertFailedReadably(run, json);
        Assert.Equal(DeliveryEnvironment.MaxDeliveryAttempts, run.Attempts);
        Assert.Equal(DeliveryEnvironment.MaxDeliveryAttempts, run.Steps!.Count(step => step.Status == "rendering"));
        Assert.DoesNotContain(run.Steps!, step => step.Status is "stored" or "sending" or "delivered");
        Assert.Null(run.Links.File);
        Assert.Empty(FileNames(upload));
        Assert.Empty(await ObjectKeysOfRunAsync(Acme.Id, run.Id));

        var (redelivered, redeliveredJson) = await client.RedeliverAndWaitAsync(run.Id);

        Assert.True(redelivered.Status == "delivered", redeliveredJson);
        // Never stored, so rendered anew.
        Assert.Equal(DeliveryEnvironment.MaxDeliveryAttempts + 1, redelivered.Steps!.Count(step => step.Status == "rendering"));
        Assert.Single(redelivered.Steps!, step => step.Status == "stored");
        Assert.Single(redelivered.Steps!, step => step.Status == "delivered");
        Assert.Equal([redelivered.FileName!, redelivered.FileName + ".sha256"], FileNames(upload));
        Assert.Equal(redelivered.Sha256, await Sha256Async(Path.Combine(upload, redelivered.FileName!)));
        Assert.Equal(2, (await ObjectKeysOfRunAsync(Acme.Id, run.Id)).Count);
    }

    [Fact]
    public async Task With_the_object_store_down_a_stored_run_is_not_redelivered_until_it_is_back()
    {
        var firstUpload = await environment.DeliverBySftpAsync(Northwind.Id, "before-object-store-outage");
        using var client = await environment.ClientForAsync(DemoClients.Northwind);
        var accepted = await client.StartRunAsync(ActiveContracts);
        var (run, json) = await client.WaitUntilFinishedAsync(accepted.Id);
        Assert.True(run.Status == "delivered", json);
        var upload = await environment.DeliverBySftpAsync(Northwind.Id, "object-store-down-at-delivery");

        ReportRunResponse failed;
        environment.ObjectStore.Stop();
        try
        {
            (failed, json) = await client.RedeliverAndWaitAsync(run.Id);
        }
        finally
        {
            await environment.ObjectStore.StartAsync();
        }

        AssertFailedReadably(failed, json);
        Assert.Empty(FileNames(upload));

        var (redelivered, redeliveredJson) = await client.RedeliverAndWaitAsync(run.Id);

        Assert.True(redelivered.Status == "delivered", redeliveredJson);
        Assert.Single(redelivered.Steps!, step => step.Status == "rendering");
        Assert.Equal(2, redelivered.Steps!.Count(step => step.Status == "delivered"));
        Assert.Equal([run.FileName!, run.FileName + ".sha256"], FileNames(upload));
        // The stored file, not a new rendering: the same bytes as the first delivery.
        Assert.Equal(await Sha256Async(Path.Combine(firstUpload, run.FileName!)), await Sha256Async(Path.Combine(upload, run.FileName!)));
        Assert.Equal(run.Sha256, redelivered.Sha256);
    }

    [Fact]
    public async Task The_database_going_down_between_upload_and_record_loses_no_run_and_makes_no_second_file()
    {
        // The run's sftp connection is held at a relay until the database is down: the upload then completes while the
        // run cannot record it.
        await using var relay = new GatedTcpProxy(environment.Sftp.Port);
        var upload = await environment.DeliverBySftpAsync(Northwind.Id, "database-down", port: relay.Port);
        using var client = await environment.ClientForAsync(DemoClients.Northwind);
        var accepted = await client.StartRunAsync(ActiveContracts);
        await relay.Connected.WaitAsync(RunRequests.FinishTimeout);

        await environment.Database.Server.StopAsync();
        try
        {
            var logged = environment.App.Logs.Count;
            relay.Open();
            var fileName = $"contracts_{From}_{To}_{accepted.Id}.csv.pgp";
            await WaitForFileAsync(Path.Combine(upload, fileName + ".sha256"));
            // The run has tried to record the delivery and failed: the database stays down until it has.
            await WaitForAsync(
                () => environment.App.Logs.GetSnapshot().Skip(logged).Any(record =>
                    record.Level >= LogLevel.Error && record.Exception is not null && record.Message.Contains(accepted.Id, StringComparison.Ordinal)),
                "the run's failure to record its delivery");
        }
        finally
        {
            await environment.Database.Server.RestartAsync();
        }

        var (run, json) = await client.WaitUntilFinishedAsync(accepted.Id);

        // Not lost: the unrecorded attempt is made again once the database is back, and that one is recorded.
        Assert.True(run.Status == "delivered", json);
        Assert.Equal(2, run.Attempts);
        AssertSteps(run, "queued", "rendering", "stored", "sending", "sending", "delivered");
        // No second file: the stored file went up again under the same name, replacing the first copy.
        Assert.Equal([run.FileName!, run.FileName + ".sha256"], FileNames(upload));
        Assert.Equal(run.Sha256, await Sha256Async(Path.Combine(upload, run.FileName!)));
        var check = await RunProcessAsync("sha256sum", upload, "-c", run.FileName + ".sha256");
        Assert.True(check.ExitCode == 0, check.Output + check.Errors);
        Assert.Equal(2, (await ObjectKeysOfRunAsync(Northwind.Id, run.Id)).Count);

        var (redelivered, redeliveredJson) = await client.RedeliverAndWaitAsync(run.Id);

        Assert.True(redelivered.Status == "delivered", redeliveredJson);
        Assert.Equal([run.FileName!, run.FileName + ".sha256"], FileNames(upload));
        Assert.Equal(redelivered.Sha256, await Sha256Async(Path.Combine(upload, run.FileName!)));
    }

    [Fact]
    public async Task Steps_are_listed_in_the_order_they_were_recorded()
    {
        var store = environment.App.Services.GetRequiredService<RunStore>();
        // A finished run, so the worker leaves it alone; its steps are recorded one after another, as the pipeline does.
        var run = new ReportRun
        {
            Id = "run_" + Guid.NewGuid().ToString("N"),
            PartnerId = Acme.Id,
            ClientId = Acme.ClientId,
            RequestHash = "step-order",
            Report = ReportCatalog.Contracts.Id,
            Format = "csv",
            PeriodFrom = ReportDownloads.From.ToDateTime(TimeOnly.MinValue),
            PeriodTo = ReportDownloads.To.ToDateTime(TimeOnly.MinValue),
            Status = "failed",
        };
        await store.CreateAsync(run, CancellationToken.None);
        var recorded = new List<string> { run.Status };
        for (var i = 0; i < 30; i++)
        {
            var step = $"step-{i:00}";
            await store.SaveAsync(run, step, detail: null);
            recorded.Add(step);
        }

        var listed = (await store.EventsAsync(run.Id, CancellationToken.None)).Select(e => e.Status);

        Assert.Equal(recorded, listed);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_object_store_outage_is_named_in_the_reason(bool storedBefore)
    {
        await environment.DeliverBySftpAsync(Contoso.Id, "object-store-reason");
        using var client = await environment.ClientForAsync(DemoClients.Contoso);
        string? storedRunId = null;
        if (storedBefore)
        {
            var (stored, storedJson) = await client.WaitUntilFinishedAsync((await client.StartRunAsync(ActiveContracts)).Id);
            Assert.True(stored.Status == "delivered", storedJson);
            storedRunId = stored.Id;
        }

        ReportRunResponse run;
        string json;
        environment.ObjectStore.Stop();
        try
        {
            (run, json) = storedRunId is null
                ? await client.WaitUntilFinishedAsync((await client.StartRunAsync(ActiveContracts)).Id)
                : await client.RedeliverAndWaitAsync(storedRunId);
        }
        finally
        {
            await environment.ObjectStore.StartAsync();
        }

        AssertFailedReadably(run, json, "object store");
    }

    /// <summary>The run failed with a reason that says what went wrong, in a sentence, with no secret in the whole run.</summary>
    private void AssertFailedReadably(ReportRunResponse run, string json, params string[] mentions)
    {
        Assert.True(run.Status == "failed", json);
        var reason = run.FailureReason;
        Assert.False(string.IsNullOrWhiteSpace(reason), json);
        foreach (var mention in mentions)
        {
            Assert.Contains(mention, reason, StringComparison.OrdinalIgnoreCase);
        }

        Assert.True(reason.Length < 400 && !reason.Contains('\n', StringComparison.Ordinal), reason);
        Assert.DoesNotContain("Exception", reason, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ReportingApi", reason, StringComparison.Ordinal);
        Assert.Contains(run.Steps!, step => step.Status == "failed" && step.Detail == reason);
        Assert.DoesNotContain(environment.Sftp.PrivateKeyPath, json, StringComparison.Ordinal);
        foreach (var secret in environment.Secrets)
        {
            Assert.False(json.Contains(secret, StringComparison.Ordinal), $"The run shows a secret: {json}");
        }
    }

    private async Task<IReadOnlyList<string>> ObjectKeysOfRunAsync(int partnerId, string runId)
    {
        using var s3 = environment.ObjectStore.CreateS3Client();
        var keys = new List<string>();
        // Listed by a prefix without '/': moto 5.2.1 refuses the signature of a query string that holds one.
        var request = new ListObjectsV2Request { BucketName = MotoObjectStore.BucketName, Prefix = "partners" };
        ListObjectsV2Response response;
        do
        {
            response = await s3.ListObjectsV2Async(request);
            keys.AddRange((response.S3Objects ?? []).Select(o => o.Key)
                .Where(key => key.StartsWith($"partners/{partnerId}/", StringComparison.Ordinal) && key.Contains(runId, StringComparison.Ordinal)));
            request.ContinuationToken = response.NextContinuationToken;
        }
        while (response.IsTruncated == true);

        return keys.Order(StringComparer.Ordinal).ToList();
    }

    private static string[] FileNames(string directory) =>
        Directory.GetFiles(directory).Select(path => Path.GetFileName(path)).Order(StringComparer.Ordinal).ToArray();

    private static async Task<string> Sha256Async(string path)
    {
        await using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(file));
    }

    private static Task WaitForFileAsync(string path) => WaitForAsync(() => File.Exists(path), path);

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + RunRequests.FinishTimeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Waited in vain for {what}.");
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// The run's steps, in any order: the API may list steps recorded within the same millisecond out of order
    /// (Steps_are_listed_in_the_order_they_were_recorded).
    /// </summary>
    private static void AssertSteps(ReportRunResponse run, params string[] expected) =>
        Assert.Equal(expected.Order(StringComparer.Ordinal), run.Steps!.Select(step => step.Status).Order(StringComparer.Ordinal));

    /// <summary>The primary key fingerprint of the company signing key the tests gave the app.</summary>
    internal static string CompanyFingerprint(GnuPgHome gpg) =>
        gpg.RunChecked("--with-colons", "--show-keys", TestPgpKeys.CompanySecretKeyPath).Output.Split('\n')
            .First(line => line.StartsWith("fpr:", StringComparison.Ordinal))
            .Split(':')[9];

    private static async Task<(int ExitCode, string Output, string Errors)> RunProcessAsync(string program, string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await errors);
    }
}
