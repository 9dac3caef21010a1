using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ReportingApi.IntegrationTests.Infrastructure;
using ReportingApi.Testing;
using ReportingApi.Transfer;

namespace ReportingApi.IntegrationTests.Transfer;

/// <summary>SftpDelivery through the real OpenSSH sftp client against a real private sshd.</summary>
public sealed class SftpDeliveryTests(SshdServer server) : IClassFixture<SshdServer>, IDisposable
{
    private readonly TempFolderObjectStore _store = new();

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
    public async Task A_leftover_part_from_a_failed_attempt_and_an_older_file_are_replaced()
    {
        var inbound = server.CreateUploadDirectory("leftover");
        await File.WriteAllTextAsync(Path.Combine(inbound, "r.pgp.part"), "the first half of an earlier, longer upload that failed");
        await File.WriteAllTextAsync(Path.Combine(inbound, "r.pgp"), "yesterday's delivery");
        await _store.PutTextAsync("out/r.pgp", "today");

        await Delivery().DeliverAsync(server.Target(inbound), [new DeliveryFile("out/r.pgp", "r.pgp")], default);

        Assert.Equal(["r.pgp"], FileNames(inbound));
        Assert.Equal("today", await File.ReadAllTextAsync(Path.Combine(inbound, "r.pgp")));
    }

    [Fact]
    public async Task A_server_whose_host_key_is_not_the_pinned_one_is_refused_and_gets_nothing()
    {
        var inbound = server.CreateUploadDirectory("wrong-host-key");
        await _store.PutTextAsync("out/r.pgp", "secret report");
        var otherKey = await SshdServer.GenerateKeyPairAsync(Path.Combine(server.WorkDirectory, $"other_host_key_{Guid.NewGuid():N}"));

        var error = await Assert.ThrowsAsync<DeliveryException>(() =>
            Delivery().DeliverAsync(server.Target(inbound, hostKey: otherKey), [new DeliveryFile("out/r.pgp", "r.pgp")], default));

        Assert.False(error.Transient);
        Assert.Contains("host key does not match the pinned key", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(inbound));
    }

    [Fact]
    public async Task A_client_key_the_server_does_not_know_is_an_authentication_failure_not_worth_retrying()
    {
        var inbound = server.CreateUploadDirectory("unknown-client-key");
        await _store.PutTextAsync("out/r.pgp", "r");
        var strangerKey = Path.Combine(server.WorkDirectory, $"stranger_key_{Guid.NewGuid():N}");
        await SshdServer.GenerateKeyPairAsync(strangerKey);

        var error = await Assert.ThrowsAsync<DeliveryException>(() =>
            Delivery().DeliverAsync(server.Target(inbound, privateKeyPath: strangerKey), [new DeliveryFile("out/r.pgp", "r.pgp")], default));

        Assert.False(error.Transient);
        Assert.Contains("refused the login", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(strangerKey, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(await File.ReadAllTextAsync(strangerKey), error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(inbound));
    }

    [Fact]
    public async Task A_server_that_is_down_is_a_transient_failure()
    {
        await _store.PutTextAsync("out/r.pgp", "r");

        var error = await Assert.ThrowsAsync<DeliveryException>(() =>
            Delivery().DeliverAsync(server.Target(server.UploadDirectory, port: SshdServer.FreeLoopbackPort()), [new DeliveryFile("out/r.pgp", "r.pgp")], default));

        Assert.True(error.Transient);
        Assert.Contains("Connection refused", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_remote_directory_is_a_configuration_error()
    {
        await _store.PutTextAsync("out/r.pgp", "r");

        var error = await Assert.ThrowsAsync<DeliveryException>(() =>
            Delivery().DeliverAsync(server.Target(Path.Combine(server.UploadDirectory, "no-such-dir")), [new DeliveryFile("out/r.pgp", "r.pgp")], default));

        Assert.False(error.Transient);
        Assert.Contains("refused the upload", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_never_answers_is_stopped_at_the_timeout_and_cancellation_stops_sftp_at_once()
    {
        await _store.PutTextAsync("out/r.pgp", "r");

        // Accepts connections (the kernel does) but never sends the SSH banner.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var target = server.Target(server.UploadDirectory, port: ((IPEndPoint)silent.LocalEndpoint).Port);
        var delivery = Delivery(timeout: TimeSpan.FromSeconds(1));

        var elapsed = Stopwatch.StartNew();
        var timedOut = await Assert.ThrowsAsync<DeliveryException>(() => delivery.DeliverAsync(target, [new DeliveryFile("out/r.pgp", "r.pgp")], default));
        Assert.True(timedOut.Transient);
        Assert.Contains("did not finish within", timedOut.Message, StringComparison.Ordinal);
        Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(10), $"took {elapsed.Elapsed}");

        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        elapsed.Restart();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Delivery().DeliverAsync(target, [new DeliveryFile("out/r.pgp", "r.pgp")], cancellation.Token));
        Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(10), $"took {elapsed.Elapsed}");
    }

    private SftpDelivery Delivery(TimeSpan? timeout = null) =>
        new(_store, Options.Create(new SftpDeliveryOptions { Timeout = timeout ?? TimeSpan.FromSeconds(60), ConnectTimeoutSeconds = 30 }), NullLogger<SftpDelivery>.Instance);

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
