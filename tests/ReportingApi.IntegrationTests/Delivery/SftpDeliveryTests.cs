using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using ReportingApi.Delivery;
using ReportingApi.Delivery.Connector;
using ReportingApi.Delivery.Sftp;
using ReportingApi.IntegrationTests.Infrastructure;
using ReportingApi.Secrets;
using ReportingApi.Testing;
using ReportingApi.TestSupport;

namespace ReportingApi.IntegrationTests.Delivery;

/// <summary>SftpDelivery (SSH.NET) against a real private OpenSSH sshd, with the login read through the secret source.</summary>
public sealed class SftpDeliveryTests(SshdServer server) : IClassFixture<SshdServer>, IDisposable
{
    private const string Report = "out/r.pgp";

    private readonly TempFolderObjectStore _store = new();
    private readonly FakeLogger<SftpDelivery> _log = new();

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task Files_arrive_with_their_exact_content_under_their_final_names_only()
    {
        var inbound = server.CreateUploadDirectory("arrive");
        var reportHash = await PutRandomAsync("partners/1/outbound/2026/11/contracts_2026-10-01_2026-10-31_42.csv.pgp", 3 * 1024 * 1024 + 17);
        await _store.PutTextAsync("partners/1/outbound/2026/11/contracts_2026-10-01_2026-10-31_42.csv.pgp.sha256", "deadbeef  contracts.csv.pgp\n");

        await Delivery().DeliverAsync(
            server.Target(inbound),
            [
                new DeliveryFile("partners/1/outbound/2026/11/contracts_2026-10-01_2026-10-31_42.csv.pgp", "contracts_2026-10-01_2026-10-31_42.csv.pgp"),
                new DeliveryFile("partners/1/outbound/2026/11/contracts_2026-10-01_2026-10-31_42.csv.pgp.sha256", "contracts_2026-10-01_2026-10-31_42.csv.pgp.sha256"),
            ],
            default);

        Assert.Equal(["contracts_2026-10-01_2026-10-31_42.csv.pgp", "contracts_2026-10-01_2026-10-31_42.csv.pgp.sha256"], FileNames(inbound));
        Assert.Equal(reportHash, await HashFileAsync(Path.Combine(inbound, "contracts_2026-10-01_2026-10-31_42.csv.pgp")));
        Assert.Equal("deadbeef  contracts.csv.pgp\n", await File.ReadAllTextAsync(Path.Combine(inbound, "contracts_2026-10-01_2026-10-31_42.csv.pgp.sha256")));
    }

    [Fact]
    public async Task A_password_login_delivers_as_the_password_user()
    {
        var inbound = server.CreateUploadDirectory("password");
        var hash = await PutRandomAsync(Report, 200_000);

        await Delivery().DeliverAsync(server.PasswordTarget(inbound), [new DeliveryFile(Report, "r.pgp")], default);

        Assert.Equal(["r.pgp"], FileNames(inbound));
        Assert.Equal(hash, await HashFileAsync(Path.Combine(inbound, "r.pgp")));
        // Written by the password user, not by root: the login really was the password one.
        Assert.Contains($"Accepted password for {SshdServer.PasswordUser}", server.Log, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ed25519", 0, false, "")]
    [InlineData("ed25519", 0, false, "ed25519 passphrase")]
    [InlineData("ecdsa", 256, false, "")]
    [InlineData("ecdsa", 384, true, "ecdsa passphrase")]
    [InlineData("ecdsa", 521, false, "")]
    [InlineData("rsa", 3072, false, "rsa passphrase")]
    [InlineData("rsa", 2048, true, "")]
    public async Task Private_keys_of_every_kind_log_in_with_or_without_a_passphrase(string type, int bits, bool pem, string passphrase)
    {
        var name = $"key-{type}-{bits}-{(pem ? "pem" : "openssh")}-{passphrase.Length}-{Guid.NewGuid():N}";
        await server.AuthorizeAsync(await SshdServer.GenerateKeyPairAsync(Path.Combine(server.SecretsFolder, name), type, bits, passphrase, pem));
        string? passphraseSecret = null;
        if (passphrase.Length > 0)
        {
            passphraseSecret = name + ".passphrase";
            await File.WriteAllTextAsync(Path.Combine(server.SecretsFolder, passphraseSecret), passphrase + "\n");
        }

        var inbound = server.CreateUploadDirectory(name);
        await _store.PutTextAsync(Report, "signed and sealed");

        await Delivery().DeliverAsync(server.Target(inbound, privateKeySecret: name) with { PassphraseSecret = passphraseSecret }, [new DeliveryFile(Report, "r.pgp")], default);

        Assert.Equal("signed and sealed", await File.ReadAllTextAsync(Path.Combine(inbound, "r.pgp")));
    }

    [Fact]
    public async Task An_encrypted_key_without_its_passphrase_or_with_a_wrong_one_is_refused_for_good()
    {
        var name = $"encrypted-{Guid.NewGuid():N}";
        await server.AuthorizeAsync(await SshdServer.GenerateKeyPairAsync(Path.Combine(server.SecretsFolder, name), passphrase: "the right one"));
        await File.WriteAllTextAsync(Path.Combine(server.SecretsFolder, name + ".wrong"), "a wrong one\n");
        var inbound = server.CreateUploadDirectory(name);
        await _store.PutTextAsync(Report, "r");

        var withoutPassphrase = await Assert.ThrowsAsync<DeliveryException>(() =>
            Delivery().DeliverAsync(server.Target(inbound, privateKeySecret: name), [new DeliveryFile(Report, "r.pgp")], default));
        var withWrongPassphrase = await Assert.ThrowsAsync<DeliveryException>(() =>
            Delivery().DeliverAsync(server.Target(inbound, privateKeySecret: name) with { PassphraseSecret = name + ".wrong" }, [new DeliveryFile(Report, "r.pgp")], default));

        Assert.False(withoutPassphrase.Transient);
        Assert.Equal("The SFTP private key is encrypted, but the target has no passphrase secret.", withoutPassphrase.Message);
        Assert.False(withWrongPassphrase.Transient);
        Assert.StartsWith("The SFTP private key could not be read", withWrongPassphrase.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("a wrong one", withWrongPassphrase.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(inbound));
    }

    [Fact]
    public async Task Secrets_in_the_shape_of_a_transfer_family_connector_secret_log_in_by_key_and_by_password()
    {
        // As Secrets Manager would hold them: JSON with the connector's field names; the reference is the secret's name.
        var secrets = new FakeSecretSource(SecretsProvider.SecretsManager);
        secrets.Stored["reportingapi/partners/7/sftp"] = System.Text.Json.JsonSerializer.Serialize(new
        {
            Username = server.User,
            PrivateKey = await File.ReadAllTextAsync(server.PrivateKeyPath),
        });
        secrets.Stored["reportingapi/partners/7/sftp-password"] = System.Text.Json.JsonSerializer.Serialize(new { Username = SshdServer.PasswordUser, Password = server.Password });
        var delivery = Delivery(secrets);
        var byKey = server.CreateUploadDirectory("json-key");
        var byPassword = server.CreateUploadDirectory("json-password");
        await _store.PutTextAsync(Report, "from a JSON secret");

        await delivery.DeliverAsync(server.Target(byKey, privateKeySecret: "reportingapi/partners/7/sftp"), [new DeliveryFile(Report, "r.pgp")], default);
        await delivery.DeliverAsync(server.PasswordTarget(byPassword, passwordSecret: "reportingapi/partners/7/sftp-password"), [new DeliveryFile(Report, "r.pgp")], default);

        Assert.Equal("from a JSON secret", await File.ReadAllTextAsync(Path.Combine(byKey, "r.pgp")));
        Assert.Equal("from a JSON secret", await File.ReadAllTextAsync(Path.Combine(byPassword, "r.pgp")));
    }

    [Fact]
    public async Task A_leftover_part_from_a_failed_attempt_and_an_older_file_are_replaced()
    {
        var inbound = server.CreateUploadDirectory("leftover");
        await File.WriteAllTextAsync(Path.Combine(inbound, "r.pgp.part"), "the first half of an earlier, longer upload that failed");
        await File.WriteAllTextAsync(Path.Combine(inbound, "r.pgp"), "yesterday's delivery");
        await _store.PutTextAsync(Report, "today");

        await Delivery().DeliverAsync(server.Target(inbound), [new DeliveryFile(Report, "r.pgp")], default);

        Assert.Equal(["r.pgp"], FileNames(inbound));
        Assert.Equal("today", await File.ReadAllTextAsync(Path.Combine(inbound, "r.pgp")));
        // OpenSSH offers posix-rename, which replaces the older file in one step: no fallback to remove and rename.
        Assert.DoesNotContain(_log.Collector.GetSnapshot(), entry => entry.Message.Contains("remove and rename", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_server_whose_host_key_is_not_the_pinned_one_is_refused_with_the_fingerprint_it_showed()
    {
        var inbound = server.CreateUploadDirectory("wrong-host-key");
        await _store.PutTextAsync(Report, "secret report");
        var otherKey = await SshdServer.GenerateKeyPairAsync(Path.Combine(server.WorkDirectory, $"other_host_key_{Guid.NewGuid():N}"));

        var error = await Assert.ThrowsAsync<DeliveryException>(() =>
            Delivery().DeliverAsync(server.Target(inbound, hostKey: otherKey), [new DeliveryFile(Report, "r.pgp")], default));

        Assert.False(error.Transient);
        // The fingerprints as ssh-keygen -l prints them: the server's real key (seen) and the pinned one.
        Assert.Contains($"presented host key {await SshdServer.FingerprintAsync(server.HostKey)}", error.Message, StringComparison.Ordinal);
        Assert.Contains($"not the pinned {await SshdServer.FingerprintAsync(otherKey)}", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(inbound));
    }

    [Theory]
    [InlineData("ecdsa-sha2-nistp256")]
    [InlineData("ssh-rsa")]
    public async Task A_pinned_key_of_another_type_than_the_servers_first_choice_is_the_one_checked(string type)
    {
        var inbound = server.CreateUploadDirectory($"pinned-{type}");
        await _store.PutTextAsync(Report, "pinned by " + type);

        // As ssh-keyscan prints it: host field, type, key.
        await Delivery().DeliverAsync(server.Target(inbound, hostKey: $"[{server.Host}]:{server.Port} {server.HostKeys[type]}"), [new DeliveryFile(Report, "r.pgp")], default);

        Assert.Equal("pinned by " + type, await File.ReadAllTextAsync(Path.Combine(inbound, "r.pgp")));
    }

    [Fact]
    public async Task A_client_key_the_server_does_not_know_is_an_authentication_failure_not_worth_retrying()
    {
        var inbound = server.CreateUploadDirectory("unknown-client-key");
        await _store.PutTextAsync(Report, "r");
        var strangerKey = $"stranger_key_{Guid.NewGuid():N}";
        await SshdServer.GenerateKeyPairAsync(Path.Combine(server.SecretsFolder, strangerKey));

        var error = await Assert.ThrowsAsync<DeliveryException>(() =>
            Delivery().DeliverAsync(server.Target(inbound, privateKeySecret: strangerKey), [new DeliveryFile(Report, "r.pgp")], default));

        Assert.False(error.Transient);
        Assert.Equal($"SFTP server {server.Host}:{server.Port} refused the login of user '{server.User}' by private key.", error.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(inbound));
    }

    [Fact]
    public async Task A_wrong_password_is_an_authentication_failure_that_never_shows_the_password()
    {
        var inbound = server.CreateUploadDirectory("wrong-password");
        await _store.PutTextAsync(Report, "r");
        await File.WriteAllTextAsync(Path.Combine(server.SecretsFolder, "wrong-password"), "not-" + server.Password + "\n");

        var error = await Assert.ThrowsAsync<DeliveryException>(() =>
            Delivery().DeliverAsync(server.PasswordTarget(inbound, passwordSecret: "wrong-password"), [new DeliveryFile(Report, "r.pgp")], default));

        Assert.False(error.Transient);
        Assert.Equal($"SFTP server {server.Host}:{server.Port} refused the login of user '{SshdServer.PasswordUser}' by password.", error.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(inbound));
    }

    [Fact]
    public async Task After_a_refused_login_the_secret_is_read_again_so_a_rotated_password_works_at_the_next_attempt()
    {
        // Cached as Secrets Manager values are, for minutes.
        var secrets = new FakeSecretSource(SecretsProvider.SecretsManager);
        secrets.Stored["partners/7/sftp-password"] = "the old password";
        var delivery = Delivery(secrets);
        var inbound = server.CreateUploadDirectory("rotated-password");
        await _store.PutTextAsync(Report, "after rotation");
        var target = server.PasswordTarget(inbound, passwordSecret: "partners/7/sftp-password");

        var refused = await Assert.ThrowsAsync<DeliveryException>(() => delivery.DeliverAsync(target, [new DeliveryFile(Report, "r.pgp")], default));
        secrets.Stored["partners/7/sftp-password"] = server.Password;
        await delivery.DeliverAsync(target, [new DeliveryFile(Report, "r.pgp")], default);

        Assert.Contains("refused the login", refused.Message, StringComparison.Ordinal);
        Assert.Equal(2, secrets.Reads("partners/7/sftp-password"));
        Assert.Equal("after rotation", await File.ReadAllTextAsync(Path.Combine(inbound, "r.pgp")));
    }

    [Fact]
    public async Task A_server_that_is_down_is_a_transient_failure()
    {
        await _store.PutTextAsync(Report, "r");

        var error = await Assert.ThrowsAsync<DeliveryException>(() =>
            Delivery().DeliverAsync(server.Target(server.UploadDirectory, port: SshdServer.FreeLoopbackPort()), [new DeliveryFile(Report, "r.pgp")], default));

        Assert.True(error.Transient);
        Assert.Contains("connection refused", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_remote_directory_is_a_configuration_error()
    {
        await _store.PutTextAsync(Report, "r");
        var missing = Path.Combine(server.UploadDirectory, "no-such-dir");

        var error = await Assert.ThrowsAsync<DeliveryException>(() =>
            Delivery().DeliverAsync(server.Target(missing), [new DeliveryFile(Report, "r.pgp")], default));

        Assert.False(error.Transient);
        Assert.Equal($"SFTP server {server.Host}:{server.Port} has no directory {missing} to upload to.", error.Message);
    }

    [Fact]
    public async Task A_directory_the_user_may_not_write_to_is_a_permission_failure()
    {
        var readOnly = server.CreateReadOnlyDirectory("read-only");
        await _store.PutTextAsync(Report, "r");

        // The password user is not root, so the directory's mode applies to it.
        var error = await Assert.ThrowsAsync<DeliveryException>(() =>
            Delivery().DeliverAsync(server.PasswordTarget(readOnly), [new DeliveryFile(Report, "r.pgp")], default));

        Assert.False(error.Transient);
        Assert.Equal($"SFTP server {server.Host}:{server.Port} denied permission to write {readOnly}/r.pgp.part.", error.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(readOnly));
    }

    [Fact]
    public async Task A_full_disk_fails_the_attempt_for_a_retry_and_leaves_no_partial_file()
    {
        var full = server.FullDirectory;
        await PutRandomAsync(Report, 3 * 1024 * 1024);

        var error = await Assert.ThrowsAsync<DeliveryException>(() =>
            Delivery().DeliverAsync(server.Target(full), [new DeliveryFile(Report, "r.pgp")], default));

        Assert.True(error.Transient);
        Assert.StartsWith($"SFTP server {server.Host}:{server.Port} has no space left while uploading {full}/r.pgp (", error.Message, StringComparison.Ordinal);
        Assert.EndsWith(" bytes free.", error.Message, StringComparison.Ordinal);
        // The .part was removed, which frees the space again.
        Assert.Empty(Directory.EnumerateFileSystemEntries(server.LocalPath(full)));
    }

    [Fact]
    public async Task A_connection_dropped_mid_transfer_leaves_no_final_file_and_the_next_attempt_delivers()
    {
        var inbound = server.CreateUploadDirectory("dropped");
        var hash = await PutRandomAsync(Report, 4 * 1024 * 1024);
        await using var relay = new FaultyTcpRelay(server.Port, faultAfterBytes: 1024 * 1024, RelayFault.Drop);
        var target = server.Target(inbound, port: relay.Port);

        var error = await Assert.ThrowsAsync<DeliveryException>(() => Delivery().DeliverAsync(target, [new DeliveryFile(Report, "r.pgp")], default));

        Assert.True(relay.Faulted.IsCompleted, error.Message);
        Assert.True(error.Transient);
        Assert.StartsWith($"The connection to SFTP server {server.Host}:{relay.Port} was lost while uploading {inbound}/r.pgp (", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("r.pgp", FileNames(inbound));

        // The retry goes through (the relay fails only its first connection) and overwrites the leftover .part.
        await Delivery().DeliverAsync(target, [new DeliveryFile(Report, "r.pgp")], default);

        Assert.Equal(["r.pgp"], FileNames(inbound));
        Assert.Equal(hash, await HashFileAsync(Path.Combine(inbound, "r.pgp")));
    }

    [Fact]
    public async Task A_server_that_goes_silent_mid_transfer_fails_at_the_idle_timeout()
    {
        var inbound = server.CreateUploadDirectory("silent");
        await PutRandomAsync(Report, 4 * 1024 * 1024);
        await using var relay = new FaultyTcpRelay(server.Port, faultAfterBytes: 1024 * 1024, RelayFault.Stall);
        var delivery = Delivery(options: new SftpDeliveryOptions { ConnectTimeout = TimeSpan.FromSeconds(10), IdleTimeout = TimeSpan.FromSeconds(2) });

        var elapsed = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<DeliveryException>(() =>
            delivery.DeliverAsync(server.Target(inbound, port: relay.Port), [new DeliveryFile(Report, "r.pgp")], default));

        Assert.True(error.Transient);
        Assert.StartsWith($"SFTP server {server.Host}:{relay.Port} did not answer for 2 s while uploading {inbound}/r.pgp (", error.Message, StringComparison.Ordinal);
        Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(20), $"took {elapsed.Elapsed}");
        Assert.DoesNotContain("r.pgp", FileNames(inbound));
    }

    [Fact]
    public async Task A_server_that_never_answers_is_given_up_at_the_connect_timeout_and_cancellation_stops_at_once()
    {
        await _store.PutTextAsync(Report, "r");

        // Accepts connections (the kernel does) but never sends the SSH banner.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var target = server.Target(server.UploadDirectory, port: ((IPEndPoint)silent.LocalEndpoint).Port);
        var delivery = Delivery(options: new SftpDeliveryOptions { ConnectTimeout = TimeSpan.FromSeconds(1) });

        var elapsed = Stopwatch.StartNew();
        var timedOut = await Assert.ThrowsAsync<DeliveryException>(() => delivery.DeliverAsync(target, [new DeliveryFile(Report, "r.pgp")], default));
        Assert.True(timedOut.Transient);
        Assert.Equal($"Could not reach SFTP server {server.Host}:{target.Port}: no SSH answer within 1 s.", timedOut.Message);
        Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(10), $"took {elapsed.Elapsed}");

        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        elapsed.Restart();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Delivery().DeliverAsync(target, [new DeliveryFile(Report, "r.pgp")], cancellation.Token));
        Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(10), $"took {elapsed.Elapsed}");
    }

    private SftpDelivery Delivery(ISecretSource? secrets = null, SftpDeliveryOptions? options = null) =>
        SftpDeliveries.Create(_store, server, _log, secrets, options);

    private async Task<string> PutRandomAsync(string key, int length)
    {
        var path = _store.PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, RandomNumberGenerator.GetBytes(length));
        return await HashFileAsync(path);
    }

    private static async Task<string> HashFileAsync(string path)
    {
        await using var file = File.OpenRead(path);
        return Convert.ToHexString(await SHA256.HashDataAsync(file));
    }

    private static List<string> FileNames(string directory) =>
        [.. Directory.EnumerateFiles(directory).Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal)];
}

/// <summary>Builds an <see cref="SftpDelivery"/> as the app does, with the secret source serving a test sshd's secrets folder.</summary>
internal static class SftpDeliveries
{
    public static SftpDelivery Create(TempFolderObjectStore store, SshdServer server, ILogger<SftpDelivery> logger, ISecretSource? secrets = null, SftpDeliveryOptions? options = null)
    {
        var secretsOptions = Options.Create(new SecretsOptions { FolderPath = server.SecretsFolder });
        secrets ??= new FileSecretSource(new HostingEnvironment { ContentRootPath = server.WorkDirectory });
        return new SftpDelivery(
            store,
            new SecretReferences(secrets, secretsOptions),
            Options.Create(options ?? new SftpDeliveryOptions { ConnectTimeout = TimeSpan.FromSeconds(30), IdleTimeout = TimeSpan.FromSeconds(30) }),
            logger);
    }
}
