using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using ReportingApi.SftpUsers;
using ReportingApi.Storage;
using ReportingApi.TestSupport;
using ReportingApi.TestSupport.Aws;
using ReportingApi.TestSupport.Lambda;

namespace ReportingApi.IntegrationTests.Infrastructure;

/// <summary>
/// The partners' local SFTP server as a developer runs it: <c>deploy/local-partner-sftp.sh</c> (OpenSSH sshd, one chroot
/// per partner user with <c>/inbound</c> and <c>/reports</c> bind-mounted from the object store folder) on a free loopback
/// port, over a folder object store, users folder and state folder in a temporary folder. The users are put by the app's
/// own <see cref="OpenSshSftpUsers"/>, each partner with an Ed25519 key made by ssh-keygen. The object store folder
/// belongs to <see cref="ObjectStoreOwnerId"/> (an id with no account here), so partners log in as that id, not as root.
/// Partners are clients through OpenSSH's <c>sftp</c> in batch mode (<see cref="SftpAsync"/>). Needs root and
/// tests/install/openssh.sh.
/// </summary>
public sealed class PartnerSftpServer : IAsyncDisposable
{
    public const int ObjectStoreOwnerId = 64201;
    public const string Host = "127.0.0.1";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan SftpTimeout = TimeSpan.FromSeconds(30);

    private readonly ConcurrentQueue<string> _log = new();
    private readonly Dictionary<int, SshKeyPair> _keys = [];
    private Process? _process;

    private PartnerSftpServer(string folder)
    {
        Folder = folder;
        ObjectsPath = Directory.CreateDirectory(Path.Combine(folder, "objects")).FullName;
        Users = new OpenSshSftpUsers(Path.Combine(folder, "sftp-users"));
        ObjectStore = new FolderObjectStore(ObjectsPath);
    }

    public string Folder { get; }

    /// <summary>The folder object store's root (ObjectStore:FolderPath).</summary>
    public string ObjectsPath { get; }

    public FolderObjectStore ObjectStore { get; }

    /// <summary>The app's OpenSSH users over <c>sftp-users</c> (SftpUsers:OpenSsh:UsersPath).</summary>
    public OpenSshSftpUsers Users { get; }

    public int Port { get; private set; }

    public string StatePath => Path.Combine(Folder, "sftp-server");

    public string KnownHostsPath => Path.Combine(Folder, "known_hosts");

    /// <summary>What the script and sshd printed (<c>sshd -e</c>), for assertion messages.</summary>
    public string Log => string.Join('\n', _log);

    /// <summary>Puts a user with a new key for each partner, then starts the server (users are read at start).</summary>
    public static async Task<PartnerSftpServer> StartAsync(params int[] partnerIds)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The partner SFTP server needs Linux.");
        }

        var folder = Directory.CreateTempSubdirectory("reportingapi-partner-sftp-");
        // The object store's owner creates the partners' folders in it (the script does so as that user, never as root).
        folder.UnixFileMode |= UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        var server = new PartnerSftpServer(folder.FullName);
        try
        {
            foreach (var partnerId in partnerIds)
            {
                var key = await server.NewKeyAsync($"partner-{partnerId}");
                server._keys[partnerId] = key;
                await server.Users.PutAsync(new PartnerSftpUser(partnerId, [Parse(key)]), default);
            }

            await RunAsync("chown", [$"{ObjectStoreOwnerId}:{ObjectStoreOwnerId}", server.ObjectsPath]);
            await server.StartProcessAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>The private key file of the partner's key (as put at start).</summary>
    public string PrivateKeyPath(int partnerId) => _keys[partnerId].PrivateKeyPath;

    /// <summary>A new Ed25519 key pair in the server's folder.</summary>
    public Task<SshKeyPair> NewKeyAsync(string name) =>
        SshKeyPairs.CreateAsync(Path.Combine(Folder, $"{name}-{Guid.NewGuid():N}"), "ed25519");

    public static SshPublicKey Parse(SshKeyPair key) =>
        SshPublicKey.TryParse(key.PublicKeyLine, out var parsed, out var refusal) ? parsed : throw new InvalidOperationException(refusal.Message);

    /// <summary>
    /// Runs <paramref name="commands"/> (sftp batch commands, one a line) as the partner's user with its key (or
    /// <paramref name="privateKeyPath"/>); sftp stops at the first command that fails, with a non-zero exit code.
    /// </summary>
    public async Task<ToolResult> SftpAsync(int partnerId, string commands, string? privateKeyPath = null)
    {
        var start = AwsTools.StartInfo("sftp",
        [
            "-b", "-", "-i", privateKeyPath ?? PrivateKeyPath(partnerId), "-P", Port.ToString(CultureInfo.InvariantCulture),
            "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=yes", "-o", $"UserKnownHostsFile={KnownHostsPath}",
            $"{PartnerSftpUser.UserNameOf(partnerId)}@{Host}",
        ]);
        start.RedirectStandardInput = true;
        start.WorkingDirectory = Folder;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(commands.EndsWith('\n') ? commands : commands + "\n");
        process.StandardInput.Close();
        using var deadline = new CancellationTokenSource(SftpTimeout);
        await process.WaitForExitAsync(deadline.Token);
        return new ToolResult(process.ExitCode, await output, await errors);
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { } process)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }

        Directory.Delete(Folder, recursive: true);
    }

    private async Task StartProcessAsync()
    {
        var script = Path.Combine(AppProcess.RepositoryRoot(), "deploy", "local-partner-sftp.sh");
        for (var attempt = 1; ; attempt++)
        {
            Port = SshdServer.FreeLoopbackPort();
            var start = AwsTools.StartInfo("bash",
            [
                script, "--objects", ObjectsPath, "--users", Users.UsersPath, "--state", StatePath,
                "--port", Port.ToString(CultureInfo.InvariantCulture), "--listen", Host,
            ]);
            var process = OutputReadingProcess.Start(start, _log.Enqueue);
            _process = process;
            if (await AnswersAsync(process))
            {
                var hostKey = (await File.ReadAllTextAsync(Path.Combine(StatePath, "ssh_host_ed25519_key.pub"))).Split(' ');
                await File.WriteAllTextAsync(KnownHostsPath, $"[{Host}]:{Port} {hostKey[0]} {hostKey[1]}\n");
                return;
            }

            // A free port can be taken between asking and binding; anything else is a failure to show.
            if (attempt == 3 || !Log.Contains("Address already in use", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"local-partner-sftp.sh did not start:\n{Log}");
            }
        }
    }

    private async Task<bool> AnswersAsync(Process process)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout)
        {
            if (process.HasExited)
            {
                return false;
            }

            if (await SshdServer.AnswersWithBannerAsync(Host, Port))
            {
                return true;
            }

            await Task.Delay(50);
        }

        process.Kill(entireProcessTree: true);
        return false;
    }

    private static async Task RunAsync(string tool, IEnumerable<string> arguments)
    {
        var result = await AwsTools.RunAsync(tool, arguments, TimeSpan.FromMinutes(1));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} failed ({result.ExitCode}): {result.Errors}");
        }
    }
}
