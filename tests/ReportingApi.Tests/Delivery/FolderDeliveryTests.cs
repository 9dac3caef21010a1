using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using ReportingApi.Delivery;
using ReportingApi.Testing;

namespace ReportingApi.Tests.Delivery;

public sealed class FolderDeliveryTests : IDisposable
{
    private readonly TempFolderObjectStore _store = new();
    private readonly DirectoryInfo _partnerRoot = Directory.CreateTempSubdirectory("reportingapi-partner-");

    public void Dispose()
    {
        _store.Dispose();
        _partnerRoot.Delete(recursive: true);
    }

    [Fact]
    public async Task Files_arrive_with_their_exact_content_under_their_final_names_only()
    {
        var report = string.Concat(Enumerable.Repeat("0123456789abcdef", 20_000));
        await _store.PutTextAsync("partners/3/outbound/r.csv.pgp", report);
        await _store.PutTextAsync("partners/3/outbound/r.csv.pgp.sha256", "sum  r.csv.pgp\n");

        await Delivery().DeliverAsync(
            new DeliveryTarget(DeliveryKind.Folder, "/inbound/reports", FolderPath: _partnerRoot.FullName),
            [new DeliveryFile("partners/3/outbound/r.csv.pgp", "r.csv.pgp"), new DeliveryFile("partners/3/outbound/r.csv.pgp.sha256", "r.csv.pgp.sha256")],
            default);

        var inbound = Path.Combine(_partnerRoot.FullName, "inbound", "reports");
        Assert.Equal(["r.csv.pgp", "r.csv.pgp.sha256"], FileNames(inbound));
        Assert.Equal(report, await File.ReadAllTextAsync(Path.Combine(inbound, "r.csv.pgp")));
        Assert.Equal("sum  r.csv.pgp\n", await File.ReadAllTextAsync(Path.Combine(inbound, "r.csv.pgp.sha256")));
    }

    [Fact]
    public async Task A_leftover_part_file_and_an_older_delivery_are_replaced()
    {
        var inbound = Directory.CreateDirectory(Path.Combine(_partnerRoot.FullName, "in")).FullName;
        await File.WriteAllTextAsync(Path.Combine(inbound, "r.pgp.part"), "half of an earlier attempt that was much longer than the new file");
        await File.WriteAllTextAsync(Path.Combine(inbound, "r.pgp"), "old");
        await _store.PutTextAsync("out/r.pgp", "new");

        await Delivery().DeliverAsync(new DeliveryTarget(DeliveryKind.Folder, "in", FolderPath: _partnerRoot.FullName), [new DeliveryFile("out/r.pgp", "r.pgp")], default);

        Assert.Equal(["r.pgp"], FileNames(inbound));
        Assert.Equal("new", await File.ReadAllTextAsync(Path.Combine(inbound, "r.pgp")));
    }

    [Fact]
    public async Task A_missing_object_fails_for_good_and_leaves_no_part_file_behind()
    {
        await _store.PutTextAsync("out/a.pgp", "a");

        var error = await Assert.ThrowsAsync<DeliveryException>(() => Delivery().DeliverAsync(
            new DeliveryTarget(DeliveryKind.Folder, "/", FolderPath: _partnerRoot.FullName),
            [new DeliveryFile("out/a.pgp", "a.pgp"), new DeliveryFile("out/missing.pgp", "missing.pgp")],
            default));

        Assert.False(error.Transient);
        Assert.Contains("out/missing.pgp", error.Message, StringComparison.Ordinal);
        Assert.Empty(FileNames(_partnerRoot.FullName));
    }

    [Theory]
    [InlineData("/in", "../escape.pgp")]
    [InlineData("/in", "sub/dir.pgp")]
    [InlineData("/in/../..", "a.pgp")]
    [InlineData("/in", "star*.pgp")]
    public async Task Names_that_could_leave_the_partner_folder_are_refused(string remoteDirectory, string remoteName)
    {
        await _store.PutTextAsync("out/a.pgp", "a");

        var error = await Assert.ThrowsAsync<DeliveryException>(() => Delivery().DeliverAsync(
            new DeliveryTarget(DeliveryKind.Folder, remoteDirectory, FolderPath: _partnerRoot.FullName), [new DeliveryFile("out/a.pgp", remoteName)], default));

        Assert.False(error.Transient);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_partnerRoot.Parent!.FullName, "escape.pgp*"));
        Assert.Empty(Directory.EnumerateFiles(_partnerRoot.FullName, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_relative_folder_path_is_resolved_against_the_content_root()
    {
        await _store.PutTextAsync("out/a.pgp", "a");
        var delivery = new FolderDelivery(_store, new HostingEnvironment { ContentRootPath = _partnerRoot.FullName }, NullLogger<FolderDelivery>.Instance);

        await delivery.DeliverAsync(new DeliveryTarget(DeliveryKind.Folder, "/in", FolderPath: ".local/sftp/partner-3"), [new DeliveryFile("out/a.pgp", "a.pgp")], default);

        Assert.Equal("a", await File.ReadAllTextAsync(Path.Combine(_partnerRoot.FullName, ".local", "sftp", "partner-3", "in", "a.pgp")));
    }

    private FolderDelivery Delivery() =>
        new(_store, new HostingEnvironment { ContentRootPath = Path.GetTempPath() }, NullLogger<FolderDelivery>.Instance);

    private static List<string> FileNames(string directory) =>
        Directory.Exists(directory) ? [.. Directory.EnumerateFiles(directory).Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal)] : [];
}
