using System.Text;
using ReportingApi.IntegrationTests.Infrastructure;
using ReportingApi.SftpUsers;
using ReportingApi.Storage;

namespace ReportingApi.IntegrationTests.SftpUsers;

/// <summary>Three partners on the local partner SFTP server (a real sshd, chroots over the object store folder).</summary>
public sealed class PartnerSftpFixture : IAsyncLifetime
{
    public PartnerSftpServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await PartnerSftpServer.StartAsync(1, 2, 3);

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>
/// What a partner can do over SFTP, checked with OpenSSH's sftp client as the partner would use it: upload into its own
/// inbound prefix, read the files delivered to it, and nothing else; in particular nothing of another partner.
/// </summary>
public sealed class PartnerSftpIsolationTests(PartnerSftpFixture fixture) : IClassFixture<PartnerSftpFixture>
{
    private const int PartnerA = 1;
    private const int PartnerB = 2;

    private PartnerSftpServer Server => fixture.Server;

    [Fact]
    public async Task A_partner_sees_only_its_inbound_and_reports_folders()
    {
        var run = await Server.SftpAsync(PartnerA, "ls -1a /\nls -1a /..\ncd /inbound/../..\npwd");

        Assert.True(run.ExitCode == 0, run.ToString());
        var listings = Listing(run.Output);
        Assert.Equal(["inbound", "reports"], listings[0]);
        Assert.Equal(["inbound", "reports"], listings[1]);
        Assert.Contains("Remote working directory: /", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_upload_to_inbound_is_the_object_under_the_partner_s_inbound_prefix()
    {
        var content = Encoding.UTF8.GetBytes($"payroll corrections {Guid.NewGuid()}\n");
        var local = await LocalFileAsync(content);
        var name = $"upload-{Guid.NewGuid():N}.csv.pgp";

        var run = await Server.SftpAsync(PartnerA, $"put {local} /inbound/{name}");

        Assert.True(run.ExitCode == 0, run.ToString() + Server.Log);
        var key = PartnerObjectKeys.InboundPrefix(PartnerA) + name;
        await using var stored = await Server.ObjectStore.OpenReadAsync(key, default);
        Assert.Equal(content, await ReadAllAsync(stored));
        Assert.Equal(PartnerSftpServer.ObjectStoreOwnerId, await OwnerOfAsync(Path.Combine(Server.ObjectsPath, key)));
    }

    [Fact]
    public async Task A_partner_reads_the_files_delivered_to_it_and_cannot_change_them()
    {
        var report = Encoding.UTF8.GetBytes($"encrypted report {Guid.NewGuid()}");
        var key = PartnerObjectKeys.Outbound(PartnerA, new DateTimeOffset(2026, 11, 3, 8, 0, 0, TimeSpan.Zero), $"contracts_{Guid.NewGuid():N}.csv.pgp");
        await Server.ObjectStore.PutAsync(key, new MemoryStream(report), "application/pgp-encrypted", default);
        var remote = "/reports/" + key[PartnerObjectKeys.OutboundPrefix(PartnerA).Length..];
        var download = Path.Combine(Server.Folder, $"download-{Guid.NewGuid():N}");
        var upload = await LocalFileAsync([1, 2, 3]);

        var get = await Server.SftpAsync(PartnerA, $"get {remote} {download}");
        var put = await Server.SftpAsync(PartnerA, $"put {upload} /reports/2026/11/planted.csv");
        var remove = await Server.SftpAsync(PartnerA, $"rm {remote}");
        var rename = await Server.SftpAsync(PartnerA, $"rename {remote} /reports/renamed");
        var mkdir = await Server.SftpAsync(PartnerA, "mkdir /reports/new");
        var atRoot = await Server.SftpAsync(PartnerA, $"put {upload} /planted.csv");

        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Equal(report, await File.ReadAllBytesAsync(download));
        Assert.All([put, remove, rename, mkdir, atRoot], run => Assert.NotEqual(0, run.ExitCode));
        Assert.True(await Server.ObjectStore.ExistsAsync(key, default));
        Assert.DoesNotContain(
            Directory.GetFileSystemEntries(Server.ObjectsPath, "*", SearchOption.AllDirectories).Select(Path.GetFileName),
            name => name is "planted.csv" or "renamed" or "new");
    }

    [Fact]
    public async Task A_partner_cannot_read_list_or_write_another_partner_s_files()
    {
        var secret = $"partner B's upload {Guid.NewGuid()}";
        var secretKey = PartnerObjectKeys.InboundPrefix(PartnerB) + $"secret-{Guid.NewGuid():N}.txt";
        await Server.ObjectStore.PutAsync(secretKey, new MemoryStream(Encoding.UTF8.GetBytes(secret)), "text/plain", default);
        var reportKey = PartnerObjectKeys.Outbound(PartnerB, DateTimeOffset.UtcNow, $"report-{Guid.NewGuid():N}.csv.pgp");
        await Server.ObjectStore.PutAsync(reportKey, new MemoryStream([9, 9, 9]), "application/pgp-encrypted", default);
        var upload = await LocalFileAsync(Encoding.UTF8.GetBytes("planted by partner A"));
        var download = Path.Combine(Server.Folder, $"stolen-{Guid.NewGuid():N}");
        var onDisk = Path.Combine(Server.ObjectsPath, secretKey);
        string[] attempts =
        [
            $"get {onDisk} {download}",
            $"get /../../partners/{PartnerB}/inbound/{Path.GetFileName(secretKey)} {download}",
            $"get /inbound/../../{PartnerB}/inbound/{Path.GetFileName(secretKey)} {download}",
            $"ls {Path.GetDirectoryName(onDisk)}",
            $"ls {Path.Combine(Server.ObjectsPath, "partners")}",
            $"put {upload} {Path.Combine(Server.ObjectsPath, PartnerObjectKeys.InboundPrefix(PartnerB), "planted.txt")}",
            $"put {upload} /../partners/{PartnerB}/inbound/planted.txt",
        ];

        var runs = new List<(string Command, int ExitCode)>();
        foreach (var attempt in attempts)
        {
            runs.Add((attempt, (await Server.SftpAsync(PartnerA, attempt)).ExitCode));
        }

        Assert.All(runs, run => Assert.True(run.ExitCode != 0, $"partner A could: {run.Command}"));
        Assert.False(File.Exists(download));
        Assert.Equal([Path.GetFileName(secretKey)], Directory.GetFiles(Path.GetDirectoryName(onDisk)!).Select(Path.GetFileName));
        // Partner B's own view: its files, nothing of partner A's.
        var own = await Server.SftpAsync(PartnerB, $"ls -1 /inbound\nls -1 /reports/{reportKey[PartnerObjectKeys.OutboundPrefix(PartnerB).Length..]}");
        Assert.True(own.ExitCode == 0, own.ToString());
        Assert.Contains(Path.GetFileName(secretKey), own.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("upload-", own.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_partner_cannot_make_links_that_would_lead_the_app_out_of_its_folder()
    {
        var delivered = PartnerObjectKeys.Outbound(PartnerA, DateTimeOffset.UtcNow, $"linked-{Guid.NewGuid():N}.pgp");
        await Server.ObjectStore.PutAsync(delivered, new MemoryStream([1]), "application/pgp-encrypted", default);
        var inReports = "/reports/" + delivered[PartnerObjectKeys.OutboundPrefix(PartnerA).Length..];

        var symlink = await Server.SftpAsync(PartnerA, "ln -s /etc/passwd /inbound/passwd-link");
        var hardlink = await Server.SftpAsync(PartnerA, $"ln {inReports} /inbound/hard-link");

        Assert.NotEqual(0, symlink.ExitCode);
        Assert.NotEqual(0, hardlink.ExitCode);
        var inbound = Path.Combine(Server.ObjectsPath, PartnerObjectKeys.InboundPrefix(PartnerA));
        Assert.DoesNotContain(Directory.GetFileSystemEntries(inbound), entry => Path.GetFileName(entry).Contains("link", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_partner_s_key_does_not_log_in_as_another_partner()
    {
        var run = await Server.SftpAsync(PartnerB, "ls /", privateKeyPath: Server.PrivateKeyPath(PartnerA));

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("Permission denied", run.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_put_for_a_partner_logs_in_at_once_and_the_key_it_replaced_no_longer_does()
    {
        const int partner = 3;
        var replacement = await Server.NewKeyAsync("partner-3-new");

        var change = await Server.Users.PutAsync(new PartnerSftpUser(partner, [PartnerSftpServer.Parse(replacement)]), default);
        var withNew = await Server.SftpAsync(partner, "ls /", privateKeyPath: replacement.PrivateKeyPath);
        var withOld = await Server.SftpAsync(partner, "ls /");

        Assert.Equal([PartnerSftpServer.Parse(replacement).Fingerprint], change.KeysAdded);
        Assert.Single(change.KeysRemoved);
        Assert.True(withNew.ExitCode == 0, withNew.ToString() + Server.Log);
        Assert.NotEqual(0, withOld.ExitCode);
    }

    /// <summary>The names each <c>ls -1</c> printed, one list per ls (sftp echoes each command as <c>sftp> ...</c>).</summary>
    private static List<List<string>> Listing(string output)
    {
        var listings = new List<List<string>>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith("sftp> ls", StringComparison.Ordinal))
            {
                listings.Add([]);
            }
            else if (!line.StartsWith("sftp>", StringComparison.Ordinal) && listings.Count > 0 && !line.StartsWith("Remote working directory", StringComparison.Ordinal))
            {
                listings[^1].AddRange(line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(name => name.TrimEnd('/').Split('/')[^1]).Where(name => name is not "." and not ".."));
            }
        }

        return listings;
    }

    private async Task<string> LocalFileAsync(byte[] content)
    {
        var path = Path.Combine(Server.Folder, $"local-{Guid.NewGuid():N}");
        await File.WriteAllBytesAsync(path, content);
        return path;
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    private static async Task<int> OwnerOfAsync(string path)
    {
        var result = await TestSupport.Aws.AwsTools.RunAsync("stat", ["-c", "%u", path], TimeSpan.FromSeconds(10));
        return int.Parse(result.Output.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
