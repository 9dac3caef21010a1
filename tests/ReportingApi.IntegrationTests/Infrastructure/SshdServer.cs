using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ReportingApi.Delivery;
using ReportingApi.TestSupport;

namespace ReportingApi.IntegrationTests.Infrastructure;

/// <summary>
/// A private OpenSSH <c>sshd</c> for tests: its own host keys (ed25519, ECDSA, RSA) and config in a temporary folder,
/// listening on a free port on 127.0.0.1, sftp only (<c>ForceCommand internal-sftp</c>). Two logins: the current user
/// (root here) by a client key made for it, and <see cref="PasswordUser"/> by <see cref="Password"/>. No chroot (that
/// needs root-owned folders outside /tmp): uploads go to absolute paths under <see cref="UploadDirectory"/>.
/// <para>
/// A password login needs a system user whose password sshd can check. Rather than add one to this machine, sshd runs
/// in a mount namespace of its own (<c>unshare --mount</c>, as root) in which copies of <c>/etc/passwd</c> and
/// <c>/etc/shadow</c> with that user are mounted over the real ones; the same namespace holds
/// <see cref="FullDirectory"/>, a 1 MiB tmpfs for disk-full tests. Nothing outside the namespace changes, and it goes
/// away with sshd.
/// </para>
/// Use as an xunit class or collection fixture, or own one to stop it mid-test (<see cref="Stop"/>, then
/// <see cref="StartAsync"/>: same port, same keys); needs <c>tests/install/openssh.sh</c>.
/// </summary>
public sealed class SshdServer : IAsyncLifetime
{
    public const string SshdPath = "/usr/sbin/sshd";

    /// <summary>The reference of the client key in <see cref="SecretsFolder"/> (what <see cref="Target"/> logs in with).</summary>
    public const string PrivateKeySecret = "client_ed25519_key";

    /// <summary>The reference of the password file in <see cref="SecretsFolder"/> (what <see cref="PasswordTarget"/> logs in with).</summary>
    public const string PasswordSecret = "password";

    /// <summary>The user that logs in by password: known only inside sshd's namespace.</summary>
    public const string PasswordUser = "reportingapi-sftp";

    private const string PrivilegeSeparationDirectory = "/run/sshd";
    private const int PasswordUserId = 64123;
    private const string FullDirectorySize = "1m";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    private readonly ConcurrentQueue<string> _log = new();
    private Process? _process;
    private string _configPath = "";

    /// <summary>SFTP requests the server refuses (its <c>-P</c> list), e.g. <c>posix-rename</c> as many Windows servers do. Set before it starts.</summary>
    public string? DeniedSftpRequests { get; init; }

    public string Host { get; } = "127.0.0.1";

    public int Port { get; private set; }

    /// <summary>The login user: whoever runs the tests (sshd run by a user can only log in that user).</summary>
    public string User { get; } = Environment.UserName;

    /// <summary>The server's public ed25519 host key, <c>"ssh-ed25519 AAAA..."</c>: what <see cref="DeliveryTarget.HostKey"/> pins.</summary>
    public string HostKey => HostKeys["ssh-ed25519"];

    /// <summary>Every host key of the server by type (<c>ssh-ed25519</c>, <c>ecdsa-sha2-nistp256</c>, <c>ssh-rsa</c>), as <c>"type base64"</c>.</summary>
    public IReadOnlyDictionary<string, string> HostKeys { get; private set; } = new Dictionary<string, string>();

    /// <summary>The password of <see cref="PasswordUser"/>, new for each server.</summary>
    public string Password { get; } = "pw-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));

    /// <summary>
    /// What the Files secret source serves for this server (<c>Secrets:FolderPath</c>): the client key
    /// (<see cref="PrivateKeySecret"/>) and the password (<see cref="PasswordSecret"/>).
    /// </summary>
    public string SecretsFolder { get; private set; } = "";

    /// <summary>A directory with 1 MiB of space, writable by both users; it exists inside sshd's namespace only (see <see cref="LocalPath"/>).</summary>
    public string FullDirectory { get; private set; } = "";

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

    /// <summary>
    /// An sftp delivery target for this server that logs in <see cref="User"/> by key, pinned to its ed25519 host key
    /// unless another is given. The key is a reference into <see cref="SecretsFolder"/> (or an absolute path).
    /// </summary>
    public DeliveryTarget Target(string remoteDirectory, string? hostKey = null, string? privateKeySecret = null, int? port = null) =>
        new(DeliveryKind.Sftp, remoteDirectory, Host: Host, Port: port ?? Port, User: User,
            HostKey: hostKey ?? HostKey, PrivateKeySecret: privateKeySecret ?? PrivateKeySecret);

    /// <summary>An sftp delivery target that logs in <see cref="PasswordUser"/> by password (a reference into <see cref="SecretsFolder"/>).</summary>
    public DeliveryTarget PasswordTarget(string remoteDirectory, string? hostKey = null, string? passwordSecret = null, int? port = null) =>
        new(DeliveryKind.Sftp, remoteDirectory, Host: Host, Port: port ?? Port, User: PasswordUser,
            HostKey: hostKey ?? HostKey, PasswordSecret: passwordSecret ?? PasswordSecret);

    /// <summary>A new empty folder under <see cref="UploadDirectory"/> that both users may write to, so tests sharing the server do not see each other's files.</summary>
    public string CreateUploadDirectory(string name) => CreateDirectory(Path.Combine(UploadDirectory, name), AllAccess);

    /// <summary>A new empty folder under <see cref="UploadDirectory"/> that only root may write to (so not <see cref="PasswordUser"/>).</summary>
    public string CreateReadOnlyDirectory(string name) =>
        CreateDirectory(Path.Combine(UploadDirectory, name), AllAccess & ~(UnixFileMode.GroupWrite | UnixFileMode.OtherWrite));

    /// <summary>Where a remote path is for this process: the same path, except under <see cref="FullDirectory"/>, which only sshd's namespace has.</summary>
    public string LocalPath(string remotePath) =>
        remotePath.StartsWith(FullDirectory, StringComparison.Ordinal) && _process is { } process ? $"/proc/{process.Id}/root{remotePath}" : remotePath;

    /// <summary>
    /// Makes a key pair with ssh-keygen at <paramref name="privateKeyPath"/> (+ <c>.pub</c>): <paramref name="type"/>
    /// ed25519, ecdsa or rsa, of <paramref name="bits"/> (0: ssh-keygen's default), in OpenSSH form or, with
    /// <paramref name="pem"/>, PEM; encrypted with <paramref name="passphrase"/> if given. Returns the public key as <c>"type base64"</c>.
    /// </summary>
    public static async Task<string> GenerateKeyPairAsync(string privateKeyPath, string type = "ed25519", int bits = 0, string passphrase = "", bool pem = false)
    {
        List<string> arguments = ["-q", "-t", type, "-N", passphrase, "-C", "reportingapi-test", "-f", privateKeyPath];
        if (bits > 0)
        {
            arguments.AddRange(["-b", bits.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        if (pem)
        {
            arguments.AddRange(["-m", "PEM"]);
        }

        await RunAsync("ssh-keygen", arguments);
        var parts = (await File.ReadAllTextAsync(privateKeyPath + ".pub")).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return $"{parts[0]} {parts[1]}";
    }

    /// <summary>Lets <paramref name="publicKey"/> (<c>"type base64"</c>) log in as <see cref="User"/> and as <see cref="PasswordUser"/> (sshd reads the file at each login).</summary>
    public Task AuthorizeAsync(string publicKey) => File.AppendAllTextAsync(AuthorizedKeysPath, publicKey + "\n");

    /// <summary>The host key's SHA-256 fingerprint as <c>ssh-keygen -l</c> prints it (<c>SHA256:...</c>).</summary>
    public static async Task<string> FingerprintAsync(string publicKey)
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, publicKey + "\n");
            return (await RunAsync("ssh-keygen", ["-l", "-E", "sha256", "-f", file])).Split(' ')[1];
        }
        finally
        {
            File.Delete(file);
        }
    }

    public async Task InitializeAsync()
    {
        if (!File.Exists(SshdPath))
        {
            throw new InvalidOperationException($"{SshdPath} is missing: run tests/install/openssh.sh first.");
        }

        Directory.CreateDirectory(PrivilegeSeparationDirectory);
        WorkDirectory = Directory.CreateTempSubdirectory("reportingapi-sshd-").FullName;
        // The password user must reach the upload folders; the keys stay 0600.
        CreateDirectory(WorkDirectory, OwnerOnly | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        UploadDirectory = CreateDirectory(Path.Combine(WorkDirectory, "upload"), AllAccess);
        FullDirectory = CreateDirectory(Path.Combine(UploadDirectory, "full"), AllAccess);
        // The work folder is traversable for the password user; these two are root's only.
        SecretsFolder = CreateDirectory(Path.Combine(WorkDirectory, "secrets"), OwnerOnly);
        CreateDirectory(Path.GetDirectoryName(ShadowPath)!, OwnerOnly);
        var hostKeys = new Dictionary<string, string>();
        var hostKeyPaths = new List<string>();
        foreach (var (type, bits) in new[] { ("ed25519", 0), ("ecdsa", 256), ("rsa", 3072) })
        {
            var hostKeyPath = Path.Combine(WorkDirectory, $"ssh_host_{type}_key");
            var hostKey = await GenerateKeyPairAsync(hostKeyPath, type, bits);
            hostKeys[hostKey[..hostKey.IndexOf(' ', StringComparison.Ordinal)]] = hostKey;
            hostKeyPaths.Add(hostKeyPath);
        }

        HostKeys = hostKeys;
        PrivateKeyPath = Path.Combine(SecretsFolder, PrivateKeySecret);
        var clientPublicKey = await GenerateKeyPairAsync(PrivateKeyPath);
        await File.WriteAllTextAsync(AuthorizedKeysPath, clientPublicKey + "\n");
        await File.WriteAllTextAsync(Path.Combine(SecretsFolder, PasswordSecret), Password + "\n");
        await WriteAccountsAsync();

        // A free port can be taken between asking and binding; try a few.
        for (var attempt = 1; ; attempt++)
        {
            Port = FreeLoopbackPort();
            _configPath = Path.Combine(WorkDirectory, "sshd_config");
            await File.WriteAllTextAsync(_configPath, Config(hostKeyPaths));
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

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private const UnixFileMode AllAccess = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Creates the directory if needed and sets its mode (the process umask would narrow a mode given at creation).</summary>
    private static string CreateDirectory(string path, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The sshd tests need Linux.");
        }

        var directory = Directory.CreateDirectory(path);
        directory.UnixFileMode = mode;
        return directory.FullName;
    }

    private string PasswdPath => Path.Combine(WorkDirectory, "accounts", "passwd");

    private string ShadowPath => Path.Combine(WorkDirectory, "accounts", "shadow");

    /// <summary>This machine's accounts plus <see cref="PasswordUser"/>, for sshd's namespace only.</summary>
    private async Task WriteAccountsAsync()
    {
        var hash = (await RunAsync("openssl", ["passwd", "-6", Password])).Trim();
        var today = (int)(DateTime.UtcNow - DateTime.UnixEpoch).TotalDays;
        var passwd = await File.ReadAllTextAsync("/etc/passwd");
        var shadow = await File.ReadAllTextAsync("/etc/shadow");
        await File.WriteAllTextAsync(PasswdPath, $"{passwd.TrimEnd('\n')}\n{PasswordUser}:x:{PasswordUserId}:{PasswordUserId}::{UploadDirectory}:/bin/sh\n");
        await File.WriteAllTextAsync(ShadowPath, $"{shadow.TrimEnd('\n')}\n{PasswordUser}:{hash}:{today}:0:99999:7:::\n");
    }

    private string AuthorizedKeysPath => Path.Combine(WorkDirectory, "authorized_keys");

    private string Config(IEnumerable<string> hostKeyPaths) => $"""
        Port {Port}
        ListenAddress {Host}
        {string.Join("\n", hostKeyPaths.Select(path => $"HostKey {path}"))}
        PidFile none
        AuthorizedKeysFile {AuthorizedKeysPath}
        AllowUsers {User} {PasswordUser}
        PermitRootLogin prohibit-password
        PubkeyAuthentication yes
        PasswordAuthentication yes
        KbdInteractiveAuthentication no
        UsePAM no
        # The key files live under /tmp, whose mode sshd's StrictModes would reject.
        StrictModes no
        Subsystem sftp internal-sftp
        ForceCommand internal-sftp -l VERBOSE{(DeniedSftpRequests is null ? "" : $" -P {DeniedSftpRequests}")}
        LogLevel VERBOSE

        """;

    private async Task<bool> TryStartAsync(string configPath)
    {
        // sh mounts the accounts and the small disk in the new namespace, then becomes sshd (same pid, so Stop kills sshd).
        const string Script = """
            mount --bind "$1" /etc/passwd && mount --bind "$2" /etc/shadow &&
            mount -t tmpfs -o size="$3",mode=0777 reportingapi-full "$4" && exec "$5" -D -e -f "$6"
            """;
        var startInfo = new ProcessStartInfo("unshare") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { "--mount", "--propagation", "private", "/bin/sh", "-c", Script, "sh", PasswdPath, ShadowPath, FullDirectorySize, FullDirectory, SshdPath, configPath })
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = OutputReadingProcess.Start(startInfo, _log.Enqueue);

        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout)
        {
            if (process.HasExited)
            {
                await process.WaitForExitAsync();
                process.Dispose();
                return false;
            }

            if (await AnswersWithBannerAsync(Host, Port))
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

    /// <summary>Whether an SSH server answers on the port: it sends its <c>SSH-2.0-</c> banner first.</summary>
    public static async Task<bool> AnswersWithBannerAsync(string host, int port)
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await client.ConnectAsync(host, port, timeout.Token);
            var buffer = new byte[8];
            var read = await client.GetStream().ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, timeout.Token);
            return Encoding.ASCII.GetString(buffer, 0, read) == "SSH-2.0-";
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task<string> RunAsync(string fileName, IEnumerable<string> arguments)
    {
        var startInfo = new ProcessStartInfo(fileName) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} failed ({process.ExitCode}): {await stderr}");
        }

        return stdout;
    }
}
