using Microsoft.Extensions.Logging.Testing;
using ReportingApi.Delivery;
using ReportingApi.Delivery.Sftp;
using ReportingApi.IntegrationTests.Infrastructure;
using ReportingApi.Testing;

namespace ReportingApi.IntegrationTests.Delivery;

/// <summary>An sshd whose SFTP server refuses posix-rename (<c>internal-sftp -P posix-rename</c>: it neither offers nor performs it), as many Windows servers do.</summary>
public sealed class RenameRefusingSshd : IAsyncLifetime
{
    public SshdServer Server { get; } = new() { DeniedSftpRequests = "posix-rename" };

    public Task InitializeAsync() => Server.InitializeAsync();

    public Task DisposeAsync() => Server.DisposeAsync();
}

/// <summary>Delivery to a server that refuses posix-rename: an older file is removed, then the upload renamed over it.</summary>
public sealed class RenameRefusingServerTests(RenameRefusingSshd sshd) : IClassFixture<RenameRefusingSshd>, IDisposable
{
    private readonly TempFolderObjectStore _store = new();
    private readonly FakeLogger<SftpDelivery> _log = new();

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task An_older_file_under_the_final_name_is_replaced_and_no_part_is_left()
    {
        var server = sshd.Server;
        var inbound = server.CreateUploadDirectory("replace");
        await File.WriteAllTextAsync(Path.Combine(inbound, "r.pgp"), "yesterday's delivery");
        await File.WriteAllTextAsync(Path.Combine(inbound, "r.pgp.sha256"), "yesterday's checksum");
        await _store.PutTextAsync("out/r.pgp", "today");
        await _store.PutTextAsync("out/r.pgp.sha256", "today's checksum");

        await SftpDeliveries.Create(_store, server, _log).DeliverAsync(
            server.Target(inbound), [new DeliveryFile("out/r.pgp", "r.pgp"), new DeliveryFile("out/r.pgp.sha256", "r.pgp.sha256")], default);

        Assert.Equal(["r.pgp", "r.pgp.sha256"], Directory.EnumerateFiles(inbound).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal("today", await File.ReadAllTextAsync(Path.Combine(inbound, "r.pgp")));
        Assert.Equal("today's checksum", await File.ReadAllTextAsync(Path.Combine(inbound, "r.pgp.sha256")));

        // With -P posix-rename, OpenSSH leaves the extension out of its offer. The delivery noticed once; the second file
        // went straight to remove and rename.
        var fallback = Assert.Single(_log.Collector.GetSnapshot(), entry => entry.Message.Contains("remove and rename", StringComparison.Ordinal));
        Assert.Contains("posix-rename@openssh.com currently not supported by the server", fallback.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_first_delivery_with_no_older_file_is_renamed_too()
    {
        var server = sshd.Server;
        var inbound = server.CreateUploadDirectory("first");
        await _store.PutTextAsync("out/r.pgp", "first");

        await SftpDeliveries.Create(_store, server, _log).DeliverAsync(server.Target(inbound), [new DeliveryFile("out/r.pgp", "r.pgp")], default);

        Assert.Equal(["r.pgp"], Directory.EnumerateFiles(inbound).Select(Path.GetFileName));
        Assert.Equal("first", await File.ReadAllTextAsync(Path.Combine(inbound, "r.pgp")));
    }
}
