using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ReportingApi.Transfer;

namespace ReportingApi.IntegrationTests.Infrastructure;

/// <summary>
/// A private OpenSSH <c>sshd</c> for tests: its own ed25519 host key and config in a temporary folder, listening on a
/// free port on 127.0.0.1, sftp only (<c>ForceCommand internal-sftp</c>), key authentication only for the current user
/// (root here) with a client key made for it. No chroot (that needs root-owned folders outside /tmp): uploads go to
/// absolute paths under <see cref="UploadDirectory"/>. Use as an xunit class or collection fixture, or own one to stop
/// it mid-test (<see cref="Stop"/>, then <see cref="StartAsync"/>: same port, same keys); needs <c>tests/install/openssh.sh</c>.
/// </summary>
public sealed class SshdServer : IAsyncLifetime
{
    public const string SshdPath = "/usr/sbin/sshd";
    private const string PrivilegeSeparationDirectory = "/run/sshd";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    private readonly ConcurrentQueue<string> _log = new();
    private Process? _process;
    private string _configPath = "";

    public string Host { get; } = "127.0.0.1";

    public int Port { get; private set; }

    /// <summary>The login user: whoever runs the tests (sshd run by a user can only log in that user).</summary>
    public string User { get; } = Environment.UserName;

    /// <summary>The server's public host key, <c>"ssh-ed25519 AAAA..."</c>: what <see cref="DeliveryTarget.HostKey"/> pins.</summary>
    public string HostKey { get; private set; } = "";

    /// <summary>The known_hosts line for this server: <c>[127.0.0.1]:port ssh-ed25519 AAAA...</c>.</summary>
    public string KnownHostsLine => $"[{Host}]:{Port} {HostKey}";

    /// <summary>The client's private key (0600), authorized for <see cref="User"/>.</summary>
    public string PrivateKeyPath { get; private set; } = "";

    /// <summary>An absolute folder the user may write to; deliveries name remote directories under it.</summary>
    public string UploadDirectory { get; private set; } = "";

    /// <summary>The server's temporary folder (config, keys, uploads); removed on dispose.</summary>
    public string WorkDirectory { get; private set; } = "";

    /// <summary>What sshd logged (<c>-e</c>), for assertion messages.</summary>
    public string Log => string.Join('\n', _log);

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>An sftp delivery target for this server, pinned to its host key unless another is given.</summary>
    public DeliveryTarget Target(string remoteDirectory, string? hostKey = null, string? privateKeyPath = null, int? port = null) =>
        new(DeliveryKind.Sftp, remoteDirectory, Host: Host, Port: port ?? Port, User: User,
            HostKey: hostKey ?? HostKey, PrivateKeyPath: privateKeyPath ?? PrivateKeyPath);

    /// <summary>A new empty folder under <see cref="UploadDirectory"/>, so tests sharing the server do not see each other's files.</summary>
    public string CreateUploadDirectory(string name) => Directory.CreateDirectory(Path.Combine(UploadDirectory, name)).FullName;

    /// <summary>Makes an ed25519 key pair at <paramref name="privateKeyPath"/> (+ <c>.pub</c>); returns the public key as <c>"type base64"</c>.</summary>
    public static async Task<string> GenerateKeyPairAsync(string privateKeyPath)
    {
        await RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "reportingapi-test", "-f", privateKeyPath]);
        var parts = (await File.ReadAllTextAsync(privateKeyPath + ".pub")).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return $"{parts[0]} {parts[1]}";
    }

    public async Task InitializeAsync()
    {
        if (!File.Exists(SshdPath))
        {
            throw new InvalidOperationException($"{SshdPath} is missing: run tests/install/openssh.sh first.");
        }

        Directory.CreateDirectory(PrivilegeSeparationDirectory);
        WorkDirectory = Directory.CreateTempSubdirectory("reportingapi-sshd-").FullName;
        UploadDirectory = Directory.CreateDirectory(Path.Combine(WorkDirectory, "upload")).FullName;
        var hostKeyPath = Path.Combine(WorkDirectory, "ssh_host_ed25519_key");
        HostKey = await GenerateKeyPairAsync(hostKeyPath);
        PrivateKeyPath = Path.Combine(WorkDirectory, "client_ed25519_key");
        var clientPublicKey = await GenerateKeyPairAsync(PrivateKeyPath);
        var authorizedKeysPath = Path.Combine(WorkDirectory, "authorized_keys");
        await File.WriteAllTextAsync(authorizedKeysPath, clientPublicKey + "\n");

        // A free port can be taken between asking and binding; try a few.
        for (var attempt = 1; ; attempt++)
        {
            Port = FreeLoopbackPort();
            _configPath = Path.Combine(WorkDirectory, "sshd_config");
            await File.WriteAllTextAsync(_configPath, Config(hostKeyPath, authorizedKeysPath));
            if (await TryStartAsync(_configPath))
            {
                return;
            }

            if (attempt == 3)
            {
                throw new InvalidOperationException($"sshd did not start:\n{Log}");
            }
        }
    }

    /// <summary>Kills sshd and any session it serves, as a crash would; <see cref="StartAsync"/> brings it back.</summary>
    public void Stop()
    {
        var process = _process;
        _process = null;
        if (process is null)
        {
            return;
        }

        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        process.Dispose();
    }

    /// <summary>Starts sshd again after <see cref="Stop"/>: the same port, host key and authorized key.</summary>
    public async Task StartAsync()
    {
        if (IsRunning)
        {
            return;
        }

        if (_configPath.Length == 0)
        {
            throw new InvalidOperationException("The server was never initialized.");
        }

        if (!await TryStartAsync(_configPath))
        {
            throw new InvalidOperationException($"sshd did not start again on port {Port}:\n{Log}");
        }
    }

    public Task DisposeAsync()
    {
        Stop();
        if (WorkDirectory.Length > 0)
        {
            Directory.Delete(WorkDirectory, recursive: true);
        }

        return Task.CompletedTask;
    }

    /// <summary>A loopback port nobody listens on at the moment of asking.</summary>
    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private string Config(string hostKeyPath, string authorizedKeysPath) => $"""
        Port {Port}
        ListenAddress {Host}
        HostKey {hostKeyPath}
        PidFile none
        AuthorizedKeysFile {authorizedKeysPath}
        AllowUsers {User}
        PermitRootLogin prohibit-password
        PubkeyAuthentication yes
        PasswordAuthentication no
        KbdInteractiveAuthentication no
        UsePAM no
        # The key files live under /tmp, whose mode sshd's StrictModes would reject.
        StrictModes no
        Subsystem sftp internal-sftp
        ForceCommand internal-sftp
        LogLevel VERBOSE

        """;

    private async Task<bool> TryStartAsync(string configPath)
    {
        var startInfo = new ProcessStartInfo(SshdPath) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { "-D", "-e", "-f", configPath })
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = startInfo };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                _log.Enqueue(e.Data);
            }
        };
        process.OutputDataReceived += (_, _) => { };
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();

        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout)
        {
            if (process.HasExited)
            {
                await process.WaitForExitAsync();
                process.Dispose();
                return false;
            }

            if (await AnswersWithBannerAsync())
            {
                _process = process;
                return true;
            }

            await Task.Delay(50);
        }

        process.Kill(entireProcessTree: true);
        process.Dispose();
        throw new InvalidOperationException($"sshd did not answer on port {Port} within {StartTimeout}:\n{Log}");
    }

    private async Task<bool> AnswersWithBannerAsync()
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await client.ConnectAsync(Host, Port, timeout.Token);
            var buffer = new byte[8];
            var read = await client.GetStream().ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, timeout.Token);
            return Encoding.ASCII.GetString(buffer, 0, read) == "SSH-2.0-";
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task RunAsync(string fileName, IEnumerable<string> arguments)
    {
        var startInfo = new ProcessStartInfo(fileName) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)!;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} failed ({process.ExitCode}): {await stderr}");
        }
    }
}
