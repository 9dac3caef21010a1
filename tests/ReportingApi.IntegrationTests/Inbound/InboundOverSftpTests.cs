using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ReportingApi.Data;
using ReportingApi.Inbound;
using ReportingApi.IntegrationTests.Infrastructure;
using ReportingApi.IntegrationTests.Pgp;
using ReportingApi.Storage;
using ReportingApi.TestSupport;

namespace ReportingApi.IntegrationTests.Inbound;

/// <summary>
/// The real path of a partner's upload: the local partner SFTP server (real sshd), OpenSSH's sftp as the partner's client,
/// files encrypted and signed by real gpg with the partner's own key, the app on MariaDB over the same object store
/// folder, its inbound sweep, and the status API.
/// </summary>
public sealed class InboundSftpFixture(MariaDbFixture database) : IAsyncLifetime
{
    public const int Partner = 1;
    public const int OtherPartner = 2;

    public PartnerSftpServer Server { get; private set; } = null!;

    public ReportingApiFactory App { get; private set; } = null!;

    internal GnuPgHome Gpg { get; } = new();

    public string PartnerKey { get; private set; } = "";

    public string StrangerKey { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Server = await PartnerSftpServer.StartAsync(Partner, OtherPartner);
        App = new ReportingApiFactory(new Dictionary<string, string?>(MariaDbAppFactory.Settings(database.ConnectionString))
        {
            ["ObjectStore:FolderPath"] = Server.ObjectsPath,
            ["Inbound:SweepIntervalSeconds"] = "0",
            ["Inbound:SettleTime"] = "00:00:00",
            ["Inbound:RetryDelay"] = "00:00:03",
        });
        PartnerKey = Gpg.GenerateKeyWithEncryptionSubkey("Acme Payroll <files@acme.test>", GnuPgHome.FutureDefault);
        StrangerKey = Gpg.GenerateKeyWithEncryptionSubkey("Someone Else <else@example.test>", GnuPgHome.FutureDefault);
        Gpg.Import(TestPgpKeys.Company.ArmoredPublicKey);
        using var admin = await App.CreateClientForAsync(DemoClients.Operator);
        using var key = await admin.PutAsJsonAsync($"/v1/admin/partners/{Partner}/pgp-key", new { armoredPublicKey = Gpg.ExportPublicKey(PartnerKey) });
        key.EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Server.DisposeAsync();
        Gpg.Dispose();
    }
}

[Collection(MariaDbCollectionDefinition.Name)]
public sealed class InboundOverSftpTests(InboundSftpFixture fixture) : IClassFixture<InboundSftpFixture>
{
    private const int Partner = InboundSftpFixture.Partner;

    [Fact]
    public async Task A_file_encrypted_to_us_and_signed_by_the_partner_is_stored_decrypted_byte_identical_with_its_signer()
    {
        var (clear, content) = ClearFile("corrections.csv", 300_000);
        var upload = Encrypt(clear, fixture.PartnerKey);

        var file = await UploadAndProcessAsync(upload, "corrections.csv.pgp");

        Assert.True(file.Status == InboundFileStatus.Stored, file.Reason);
        Assert.Null(file.Rejection);
        Assert.Equal(fixture.PartnerKey, file.SignerFingerprint);
        Assert.NotNull(file.VerifiedAt);
        Assert.NotNull(file.StoredAt);
        Assert.Equal(content.Length, file.ClearBytes);
        Assert.Equal(new FileInfo(upload).Length, file.UploadedBytes);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), file.ClearSha256);
        var keys = (await AdminFileAsync(file.Id)).Keys!;
        Assert.Matches($@"^partners/{Partner}/raw/\d{{4}}/\d{{2}}/{file.Id}/[0-9a-f]{{32}}-corrections\.csv$", keys.Stored);
        Assert.Equal(content, await ReadObjectAsync(keys.Stored!));
        Assert.Equal(await File.ReadAllBytesAsync(upload), await ReadObjectAsync(keys.Archive!));
        Assert.False(await fixture.Server.ObjectStore.ExistsAsync(keys.Upload, default));

        var armored = await UploadAndProcessAsync(Encrypt(clear, fixture.PartnerKey, armor: true), "corrections.csv.asc");
        Assert.True(armored.Status == InboundFileStatus.Stored, armored.Reason);
        Assert.Equal(file.ClearSha256, armored.ClearSha256);
    }

    [Fact]
    public async Task A_file_signed_by_another_key_is_rejected_as_a_bad_signature_and_quarantined()
    {
        var (clear, _) = ClearFile("signed-by-stranger.csv", 10_000);
        var file = await UploadAndProcessAsync(Encrypt(clear, fixture.StrangerKey), "signed-by-stranger.csv.gpg");

        await AssertRejectedAsync(file, "bad-signature", "not your key on file");
    }

    [Fact]
    public async Task A_corrupted_file_is_rejected_as_not_decryptable()
    {
        var (clear, _) = ClearFile("corrupted.csv", 50_000);
        var upload = Encrypt(clear, fixture.PartnerKey);
        var bytes = await File.ReadAllBytesAsync(upload);
        bytes[bytes.Length / 2] ^= 0x5A;
        await File.WriteAllBytesAsync(upload, bytes);

        var file = await UploadAndProcessAsync(upload, "corrupted.csv.pgp");

        await AssertRejectedAsync(file, "decrypt-failed", "IntegrityCheckFailed");
    }

    [Fact]
    public async Task A_checksum_beside_the_file_that_does_not_match_rejects_it_and_one_that_matches_passes()
    {
        var (clear, _) = ClearFile("with-checksum.csv", 20_000);
        var upload = Encrypt(clear, fixture.PartnerKey);
        var wrong = fixture.Gpg.File("wrong.sha256");
        await File.WriteAllTextAsync(wrong, new string('0', 64) + "  with-checksum.csv.pgp\n");

        var file = await UploadAndProcessAsync(upload, "with-checksum.csv.pgp", (wrong, "with-checksum.csv.pgp.sha256"));
        await AssertRejectedAsync(file, "checksum-mismatch", new string('0', 64));

        var right = fixture.Gpg.File("right.md5");
#pragma warning disable CA5351 // What some partners send beside their files; the service records SHA-256.
        await File.WriteAllTextAsync(right, Convert.ToHexStringLower(MD5.HashData(await File.ReadAllBytesAsync(upload))) + "  again.csv.pgp\n");
#pragma warning restore CA5351
        var passed = await UploadAndProcessAsync(upload, "again.csv.pgp", (right, "again.csv.pgp.md5"));
        Assert.Equal(InboundFileStatus.Stored, passed.Status);
    }

    [Fact]
    public async Task An_unencrypted_file_is_rejected_because_the_default_policy_accepts_encrypted_files_only()
    {
        var (clear, _) = ClearFile("plain.csv", 1_000);

        var file = await UploadAndProcessAsync(clear, "plain.csv");

        await AssertRejectedAsync(file, "plaintext-not-allowed", "not encrypted");
    }

    [Fact]
    public async Task Another_partner_sees_neither_the_file_nor_its_status()
    {
        var (clear, _) = ClearFile("private.csv", 1_000);
        var file = await UploadAndProcessAsync(Encrypt(clear, fixture.PartnerKey), "private.csv.pgp");

        using var other = await fixture.App.CreateClientForAsync(DemoClients.Northwind);
        using var single = await other.GetAsync($"/v1/inbound-files/{file.Id}");
        var list = await other.GetFromJsonAsync<List<InboundFileResponse>>("/v1/inbound-files");
        var listing = await fixture.Server.SftpAsync(InboundSftpFixture.OtherPartner, "ls -1 /inbound");

        Assert.Equal(HttpStatusCode.NotFound, single.StatusCode);
        Assert.DoesNotContain(list!, f => f.Id == file.Id || f.PartnerId != InboundSftpFixture.OtherPartner);
        Assert.Equal(0, listing.ExitCode);
        Assert.DoesNotContain("private.csv", listing.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_object_notified_twice_gives_one_record_and_a_file_left_by_a_crashed_processor_is_taken_again()
    {
        var (key, name, content) = await PutEncryptedUploadAsync("crash.csv");

        // A processor that recorded and leased the file, then died: another process's lease, short.
        var services = fixture.App.Services;
        var crashed = new InboundFileStore(services.GetRequiredService<DbConnectionFactory>(), TimeProvider.System);
        var version = SweepVersion(key);
        var (record, _) = await crashed.RecordAsync(Partner, key, version, name, default);
        Assert.True(await crashed.TryLeaseAsync(record.Id, TimeSpan.FromSeconds(2), default));

        var whileLeased = await SweepAsync();
        Assert.Equal(InboundFileStatus.Received, Assert.Single(whileLeased, o => o.ObjectKey == key).File!.Status);
        await Task.Delay(TimeSpan.FromSeconds(3));
        var after = Assert.Single(await SweepAsync(), o => o.ObjectKey == key).File!;
        var again = await services.GetRequiredService<InboundProcessor>().ProcessAsync(key, version, default);

        Assert.Equal(record.Id, after.Id);
        Assert.Equal(InboundFileStatus.Stored, after.Status);
        Assert.Equal(record.Id, again.File!.Id);
        Assert.Equal(content, await ReadObjectAsync(after.StoredKey!));
        using var admin = await AdminClientAsync();
        var all = await admin.GetFromJsonAsync<List<InboundFileResponse>>($"/v1/admin/inbound-files?partnerId={Partner}&limit=500");
        Assert.Single(all!, f => f.Keys!.Upload == key);
    }

    [Fact]
    public async Task A_file_whose_processor_died_in_every_attempt_is_rejected_unchecked_with_the_original_kept()
    {
        var (key, record, crashed) = await UploadLeftByADeadProcessorAsync("dies.csv", TimeSpan.FromSeconds(1));
        var maxAttempts = fixture.App.Services.GetRequiredService<IOptions<InboundOptions>>().Value.MaxAttempts;
        for (var attempt = 1; attempt < maxAttempts; attempt++)
        {
            Assert.True(await crashed.TryLeaseAsync(record.Id, TimeSpan.FromSeconds(1), default));
        }

        await Task.Delay(TimeSpan.FromSeconds(2.2));
        await fixture.App.Services.GetRequiredService<InboundRecovery>().RetryStaleAsync(DateTimeOffset.UtcNow.AddMinutes(1), default);

        var file = await AdminFileAsync(record.Id);
        await AssertRejectedAsync(file, "processing-failed", $"in each of its {maxAttempts} attempts");
        Assert.False(File.Exists(Path.Combine(fixture.Server.ObjectsPath, key)), "The upload leaves /inbound, as with any rejection.");
    }

    [Fact]
    public async Task A_file_the_partner_removed_before_it_could_be_archived_ends_rejected_with_that_reason()
    {
        var (key, record, crashed) = await UploadLeftByADeadProcessorAsync("removed.csv", TimeSpan.FromSeconds(1));
        var removed = await fixture.Server.SftpAsync(Partner, $"rm /inbound/{Path.GetFileName(key)}");
        Assert.True(removed.ExitCode == 0, removed.ToString());
        var recovery = fixture.App.Services.GetRequiredService<InboundRecovery>();
        var maxAttempts = fixture.App.Services.GetRequiredService<IOptions<InboundOptions>>().Value.MaxAttempts;
        for (var attempt = 1; attempt < maxAttempts; attempt++)
        {
            Assert.True(await crashed.TryLeaseAsync(record.Id, TimeSpan.FromSeconds(1), default));
        }

        await Task.Delay(TimeSpan.FromSeconds(2.2));
        await recovery.RetryStaleAsync(DateTimeOffset.UtcNow.AddMinutes(1), default);

        var file = await AdminFileAsync(record.Id);
        Assert.Equal(InboundFileStatus.Rejected, file.Status);
        Assert.Equal("processing-failed", file.Rejection);
        Assert.Contains("removed from /inbound before it could be processed", file.Reason, StringComparison.Ordinal);
        Assert.Null(file.Keys!.Archive);
        Assert.Null(file.Keys.Quarantine);
    }

    [Fact]
    public async Task The_recovery_takes_again_a_file_whose_processor_died_once_its_lease_has_run_out_and_not_before()
    {
        var (_, record, _) = await UploadLeftByADeadProcessorAsync("again.csv", TimeSpan.FromSeconds(3));
        var recovery = fixture.App.Services.GetRequiredService<InboundRecovery>();

        await recovery.RetryStaleAsync(DateTimeOffset.UtcNow.AddMinutes(1), default);
        Assert.Equal(InboundFileStatus.Received, (await AdminFileAsync(record.Id)).Status);
        await Task.Delay(TimeSpan.FromSeconds(4.2));
        await recovery.RetryStaleAsync(DateTimeOffset.UtcNow.AddMinutes(1), default);

        var file = await AdminFileAsync(record.Id);
        Assert.Equal(InboundFileStatus.Stored, file.Status);
        Assert.NotNull(file.ClearSha256);
    }

    [Fact]
    public async Task A_file_whose_processing_failed_rests_before_the_sweep_takes_it_again_and_is_then_stored()
    {
        var (key, _, content) = await PutEncryptedUploadAsync("rests.csv");

        // The store cannot write the clear file: a plain file where the partner's raw/ folder must be.
        var raw = Path.Combine(fixture.Server.ObjectsPath, "partners", Partner.ToString(CultureInfo.InvariantCulture), "raw");
        var moved = raw + "-" + Guid.NewGuid().ToString("N");
        if (Directory.Exists(raw))
        {
            Directory.Move(raw, moved);
        }

        InboundFileResponse failed;
        try
        {
            await File.WriteAllTextAsync(raw, "in the way");
            var failedAt = DateTimeOffset.UtcNow;
            Assert.DoesNotContain(await SweepAsync(), o => o.ObjectKey == key);
            var id = (await fixture.App.Services.GetRequiredService<InboundFileStore>().ListAsync(Partner, null, 500, default)).Single(f => f.ObjectKey == key).Id;
            failed = await AdminFileAsync(id);
            var whileResting = Assert.Single(await SweepAsync(), o => o.ObjectKey == key).File!;
            Assert.Equal(InboundFileStatus.Received, whileResting.Status);
            Assert.Equal(1, whileResting.Attempts);
            // Operators see why it rests, and until when: the fixture's rest of 3 s from the failure's whole second.
            Assert.Equal(1, failed.Processing!.Attempts);
            Assert.Contains("raw", failed.Processing.LastFailure, StringComparison.Ordinal);
            Assert.InRange(failed.Processing.NotBefore!.Value, failedAt.AddSeconds(2), failedAt.AddSeconds(10));
        }
        finally
        {
            File.Delete(raw);
            if (Directory.Exists(moved))
            {
                Directory.Move(moved, raw);
            }
        }

        Assert.Equal(InboundFileStatus.Received, failed.Status);
        // The fixture's rest is 3 s from the failure's whole second, so it is over 3.2 s after the failure.
        await Task.Delay(TimeSpan.FromSeconds(3.2));
        var stored = Assert.Single(await SweepAsync(), o => o.ObjectKey == key).File!;

        Assert.Equal(failed.Id, stored.Id);
        Assert.True(stored.Status == InboundFileStatus.Stored, stored.Reason);
        Assert.Equal(2, stored.Attempts);
        var afterwards = (await AdminFileAsync(stored.Id)).Processing!;
        Assert.Equal(2, afterwards.Attempts);
        Assert.Null(afterwards.NotBefore);
        Assert.Equal(failed.Processing!.LastFailure, afterwards.LastFailure);
        Assert.Equal(content, await ReadObjectAsync(stored.StoredKey!));
    }

    /// <summary>A file of 5,000 bytes encrypted and signed by the partner, put over SFTP under a unique name and not processed yet.</summary>
    private async Task<(string Key, string Name, byte[] Content)> PutEncryptedUploadAsync(string clearName)
    {
        var (clear, content) = ClearFile(clearName, 5_000);
        var name = $"{Guid.NewGuid():N}-{clearName}.pgp";
        var put = await fixture.Server.SftpAsync(Partner, $"put {Encrypt(clear, fixture.PartnerKey)} /inbound/{name}");
        Assert.True(put.ExitCode == 0, put.ToString());
        return (PartnerObjectKeys.InboundPrefix(Partner) + name, name, content);
    }

    /// <summary>
    /// An encrypted, signed upload that a processor recorded and leased, then died holding. The store keeps whole seconds,
    /// so a lease of N seconds runs out between N - 1 and N seconds from now.
    /// </summary>
    private async Task<(string Key, InboundFile Record, InboundFileStore Crashed)> UploadLeftByADeadProcessorAsync(string clearName, TimeSpan lease)
    {
        var (key, name, _) = await PutEncryptedUploadAsync(clearName);
        var crashed = new InboundFileStore(fixture.App.Services.GetRequiredService<DbConnectionFactory>(), TimeProvider.System);
        var (record, _) = await crashed.RecordAsync(Partner, key, SweepVersion(key), name, default);
        Assert.True(await crashed.TryLeaseAsync(record.Id, lease, default));
        return (key, record, crashed);
    }

    private async Task AssertRejectedAsync(InboundFileResponse file, string rejection, string reasonPart)
    {
        Assert.Equal(InboundFileStatus.Rejected, file.Status);
        Assert.Equal(rejection, file.Rejection);
        Assert.Contains(reasonPart, file.Reason, StringComparison.Ordinal);
        Assert.NotNull(file.RejectedAt);
        Assert.Null(file.ClearSha256);
        var keys = (await AdminFileAsync(file.Id)).Keys!;
        Assert.Null(keys.Stored);
        Assert.Matches($@"^partners/{Partner}/quarantine/\d{{4}}/\d{{2}}/{file.Id}/", keys.Quarantine);
        var archived = await ReadObjectAsync(keys.Archive!);
        Assert.Equal(archived, await ReadObjectAsync(keys.Quarantine!));
        Assert.Contains(file.Reason!, System.Text.Encoding.UTF8.GetString(await ReadObjectAsync(keys.Quarantine! + ".reason.txt")), StringComparison.Ordinal);
        var raw = Path.Combine(fixture.Server.ObjectsPath, PartnerObjectKeys.InboundPrefix(Partner), "..", "raw");
        Assert.DoesNotContain(Directory.Exists(raw) ? Directory.GetFiles(raw, "*", SearchOption.AllDirectories) : [], path => path.Contains(file.Id, StringComparison.Ordinal));
    }

    /// <summary>Uploads over SFTP as the partner (checksum files first), sweeps, and reads the file's status as the partner.</summary>
    private async Task<InboundFileResponse> UploadAndProcessAsync(string localPath, string remoteName, params (string Local, string Remote)[] besides)
    {
        var unique = $"{Guid.NewGuid():N}-";
        var commands = string.Concat(besides.Select(b => $"put {b.Local} /inbound/{unique}{b.Remote}\n")) + $"put {localPath} /inbound/{unique}{remoteName}\n";
        var put = await fixture.Server.SftpAsync(Partner, commands);
        Assert.True(put.ExitCode == 0, put.ToString() + fixture.Server.Log);
        var key = PartnerObjectKeys.InboundPrefix(Partner) + unique + remoteName;

        var outcome = Assert.Single(await SweepAsync(), o => o.ObjectKey == key);
        Assert.NotNull(outcome.File);
        using var partner = await fixture.App.CreateClientForAsync(DemoClients.Acme);
        var file = (await partner.GetFromJsonAsync<InboundFileResponse>($"/v1/inbound-files/{outcome.File.Id}"))!;
        Assert.Null(file.Keys);
        Assert.Null(file.Processing);
        var list = await partner.GetFromJsonAsync<List<InboundFileResponse>>("/v1/inbound-files");
        Assert.Contains(list!, f => f.Id == file.Id);
        return file;
    }

    private Task<IReadOnlyList<InboundOutcome>> SweepAsync() =>
        fixture.App.Services.GetRequiredService<InboundFolderSweep>().SweepOnceAsync(default);

    /// <summary>The version the sweep gives a file of the folder store: size and modification time.</summary>
    private string SweepVersion(string key)
    {
        var info = new FileInfo(Path.Combine(fixture.Server.ObjectsPath, key));
        return $"{info.Length}@{info.LastWriteTimeUtc.Ticks}";
    }

    private async Task<HttpClient> AdminClientAsync() => await fixture.App.CreateClientForAsync(DemoClients.Operator);

    private async Task<InboundFileResponse> AdminFileAsync(string id)
    {
        using var admin = await AdminClientAsync();
        return (await admin.GetFromJsonAsync<InboundFileResponse>($"/v1/admin/inbound-files/{id}"))!;
    }

    private async Task<byte[]> ReadObjectAsync(string key)
    {
        await using var stream = await fixture.Server.ObjectStore.OpenReadAsync(key, default);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    private (string Path, byte[] Content) ClearFile(string name, int bytes)
    {
        var path = fixture.Gpg.File($"{Guid.NewGuid():N}-{name}");
        TestFiles.WriteReportLike(path, bytes, seed: bytes);
        return (path, File.ReadAllBytes(path));
    }

    /// <summary>gpg as the partner: encrypted to our company key, signed with <paramref name="signer"/>.</summary>
    private string Encrypt(string clearPath, string signer, bool armor = false)
    {
        var output = clearPath + $".{Guid.NewGuid():N}.pgp";
        fixture.Gpg.RunChecked([
            "--trust-model", "always", "--local-user", signer, "--recipient", TestPgpKeys.Company.Fingerprint,
            .. (armor ? ["--armor"] : Array.Empty<string>()), "--output", output, "--encrypt", "--sign", clearPath]);
        return output;
    }
}
