using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Testing;
using ReportingApi.Delivery;
using ReportingApi.Delivery.Sftp;
using ReportingApi.IntegrationTests.Infrastructure;
using ReportingApi.Testing;

namespace ReportingApi.IntegrationTests.Delivery;

/// <summary>Tests that point this process's temp folder (TMPDIR) elsewhere: they run alone, so no other test writes there meanwhile.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class OwnTempFolderDefinition
{
    public const string Name = "Own temp folder";
}

/// <summary>An SFTP delivery streams from the object store to the server: not one byte goes through a local temp file.</summary>
[Collection(OwnTempFolderDefinition.Name)]
public sealed class SftpTempFolderTests(SshdServer server) : IClassFixture<SshdServer>
{
    private const string TempVariable = "TMPDIR";

    [Fact]
    public async Task A_delivery_by_key_or_by_password_creates_nothing_in_the_temp_folder()
    {
        // Made before TMPDIR moves: the store's own folder is not under watch.
        using var store = new TempFolderObjectStore();
        var report = new byte[8 * 1024 * 1024];
        RandomNumberGenerator.Fill(report);
        var reportPath = store.PathOf("out/r.pgp");
        Directory.CreateDirectory(Path.GetDirectoryName(reportPath)!);
        await File.WriteAllBytesAsync(reportPath, report);
        var byKey = server.CreateUploadDirectory("temp-folder-key");
        var byPassword = server.CreateUploadDirectory("temp-folder-password");

        var temp = Directory.CreateTempSubdirectory("reportingapi-own-tmp-").FullName + "/";
        var seen = new ConcurrentQueue<string>();
        using var watcher = new FileSystemWatcher(temp) { IncludeSubdirectories = true };
        watcher.Created += (_, e) => seen.Enqueue("created " + e.FullPath);
        watcher.Changed += (_, e) => seen.Enqueue("changed " + e.FullPath);
        watcher.Renamed += (_, e) => seen.Enqueue("renamed " + e.FullPath);
        watcher.EnableRaisingEvents = true;
        var previous = Environment.GetEnvironmentVariable(TempVariable);
        Environment.SetEnvironmentVariable(TempVariable, temp);
        try
        {
            // The watch works: code asking for a temp file now gets one here, and it is seen even when deleted at once.
            Assert.Equal(temp, Path.GetTempPath());
            File.Delete(Path.GetTempFileName());
            Assert.True(await EventuallyAsync(() => !seen.IsEmpty), "the watcher saw no temp file");
            seen.Clear();

            var delivery = SftpDeliveries.Create(store, server, new FakeLogger<SftpDelivery>());
            await delivery.DeliverAsync(server.Target(byKey), [new DeliveryFile("out/r.pgp", "r.pgp")], default);
            await delivery.DeliverAsync(server.PasswordTarget(byPassword), [new DeliveryFile("out/r.pgp", "r.pgp")], default);

            // Events arrive after the fact: give them time.
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }
        finally
        {
            Environment.SetEnvironmentVariable(TempVariable, previous);
        }

        Assert.Empty(seen);
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp));
        Directory.Delete(temp);
        Assert.Equal(report, await File.ReadAllBytesAsync(Path.Combine(byKey, "r.pgp")));
        Assert.Equal(report, await File.ReadAllBytesAsync(Path.Combine(byPassword, "r.pgp")));
    }

    private static async Task<bool> EventuallyAsync(Func<bool> condition)
    {
        for (var i = 0; i < 50 && !condition(); i++)
        {
            await Task.Delay(20);
        }

        return condition();
    }
}
