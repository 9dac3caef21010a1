using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MySqlConnector;
using ReportingApi.Data;
using ReportingApi.Demo;

namespace ReportingApi.TestSupport;

/// <summary>
/// A private MariaDB server for tests and benchmarks: its own data directory in an owner-only folder, a free loopback
/// port, a socket file of its own, and one user (<see cref="UserName"/>) with a random password and rights on the
/// databases made by <see cref="CreateDatabaseAsync"/>. The server's root logs in only through the socket, as the OS
/// user root (unix_socket), never over TCP. TLS is offered (not required) with a certificate for <c>localhost</c>
/// (not for 127.0.0.1, so that host name checks can be tested) from a CA of its own (<see cref="CertificateAuthorityPath"/>). Stopped and deleted on dispose, and
/// when start-up fails half way.
/// Needs <c>mariadbd</c>, <c>mariadb-install-db</c> and <c>mariadb</c> (tests/install/mariadb.sh).
/// </summary>
public sealed class MariaDbServer : IAsyncDisposable
{
    public const string UserName = "reporting_app";
    public const int DefaultInnoDbBufferPoolMegabytes = 256;

    private const string PidFileName = "mysqld.pid";
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);
    private static readonly string[] BinaryFolders = ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"];

    // One password per server: it lives only as long as the tests or the benchmark.
    private readonly string _password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
    private readonly string _folder;
    private Process? _process;
    private int _databaseCount;

    private MariaDbServer(string folder, int innoDbBufferPoolMegabytes)
    {
        _folder = folder;
        InnoDbBufferPoolMegabytes = innoDbBufferPoolMegabytes;
    }

    /// <summary>Chosen at the first start, kept across restarts.</summary>
    public int Port { get; private set; }

    public int InnoDbBufferPoolMegabytes { get; }

    public bool IsRunning => _process is { HasExited: false };

    private string DataDirectory => Path.Combine(_folder, "data");

    private string SocketPath => Path.Combine(_folder, "mysqld.sock");

    private string ErrorLogPath => Path.Combine(_folder, "error.log");

    private string ClientOptionsPath => Path.Combine(_folder, "client.cnf");

    /// <summary>The running server's process id, from the pid file beside <paramref name="clientOptionsPath"/> (a kept server's).</summary>
    public static int ProcessIdBeside(string clientOptionsPath) =>
        int.Parse(File.ReadAllText(Path.Combine(Path.GetDirectoryName(clientOptionsPath)!, PidFileName)).Trim(), CultureInfo.InvariantCulture);

    public string ClientOptionsFile => ClientOptionsPath;

    private string TemporaryFolder => Path.Combine(_folder, "tmp");

    /// <summary>PEM of the CA that issued the server's TLS certificate: what <c>SslCa</c> names to verify the server.</summary>
    public string CertificateAuthorityPath => Path.Combine(_folder, "ca.pem");

    private string ServerCertificatePath => Path.Combine(_folder, "server-cert.pem");

    private string ServerKeyPath => Path.Combine(_folder, "server-key.pem");

    private bool _kept;

    /// <summary>
    /// Creates a server in a new folder under <paramref name="parentFolder"/> (default: the temp folder) and starts it.
    /// Benchmarks on big data want a bigger <paramref name="innoDbBufferPoolMegabytes"/>.
    /// </summary>
    public static async Task<MariaDbServer> StartAsync(string? parentFolder = null, int innoDbBufferPoolMegabytes = DefaultInnoDbBufferPoolMegabytes)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The private MariaDB server runs on Linux (tests/install/mariadb.sh).");
        }

        var folder = Path.Combine(Path.GetFullPath(parentFolder ?? Path.GetTempPath()), "reportingapi-mariadb-" + Guid.NewGuid().ToString("N")[..12]);
        // Owner-only: the socket in it is root's way in, and the client options file holds the password.
        Directory.CreateDirectory(folder, OwnerOnly);
        var server = new MariaDbServer(folder, innoDbBufferPoolMegabytes);
        // A process torn down without disposing the server (a killed test host) must not leave mariadbd behind.
        AppDomain.CurrentDomain.ProcessExit += server.KillOnExit;
        try
        {
            Directory.CreateDirectory(server.TemporaryFolder);
            await server.InstallAsync();
            await server.CreateCertificatesAsync();
            await server.RestartAsync();
            await server.RunAsRootAsync($"CREATE USER '{UserName}'@'127.0.0.1' IDENTIFIED BY '{server._password}';");
            await File.WriteAllTextAsync(server.ClientOptionsPath, string.Create(CultureInfo.InvariantCulture,
                $"[client]\nhost=127.0.0.1\nport={server.Port}\nuser={UserName}\npassword={server._password}\n"));
            return server;
        }
        catch (Exception failure)
        {
            try
            {
                await server.DisposeAsync();
            }
            catch (Exception cleanup)
            {
                throw new AggregateException(failure, cleanup);
            }

            throw;
        }
    }

    /// <summary>The app's own connection factory for a connection string.</summary>
    public static DbConnectionFactory ConnectionFactory(string connectionString) => new(
        Options.Create(new DatabaseOptions { Provider = DatabaseProvider.MySql, ConnectionString = connectionString }),
        new NoContentRootEnvironment());

    /// <summary>Creates the app's schema with its own migration scripts.</summary>
    public static async Task MigrateAsync(string connectionString) =>
        await new MigrationRunner(ConnectionFactory(connectionString), NullLogger<MigrationRunner>.Instance).MigrateAsync();

    /// <summary>Migrates the database and fills it with <paramref name="contracts"/> generated contracts and the demo partners.</summary>
    public static async Task SeedAsync(string connectionString, int contracts)
    {
        await MigrateAsync(connectionString);
        await using var connection = await ConnectionFactory(connectionString).OpenAsync();
        await DemoDataSeeder.SeedAsync(connection, new DemoDataGenerator(contracts), DemoPartners.All);
    }

    /// <summary>A connection string for <paramref name="database"/> (TCP on loopback, bulk load allowed).</summary>
    public string ConnectionString(string database) => new MySqlConnectionStringBuilder
    {
        Server = "127.0.0.1",
        Port = (uint)Port,
        Database = database,
        UserID = UserName,
        Password = _password,
        SslMode = MySqlSslMode.None,
        AllowLoadLocalInfile = true,
        ConnectionTimeout = 5,
        // Bulk loads and ANALYZE of benchmark-sized data take minutes.
        DefaultCommandTimeout = 600,
    }.ConnectionString;

    /// <summary>
    /// Arguments for the <c>mariadb</c> command-line client to log in to <paramref name="database"/> as <see cref="UserName"/>;
    /// they must come first. The password is in an owner-only options file, not on the command line.
    /// </summary>
    public string ClientArguments(string database) => $"--defaults-file={ClientOptionsPath} {database}";

    /// <summary>
    /// Creates an empty database (utf8mb4) that <see cref="UserName"/> may use, and returns its connection string.
    /// Without a name, a new unique one is chosen.
    /// </summary>
    public async Task<string> CreateDatabaseAsync(string? name = null)
    {
        name ??= string.Create(CultureInfo.InvariantCulture, $"test_{Interlocked.Increment(ref _databaseCount)}_{Guid.NewGuid().ToString("N")[..8]}");
        if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            throw new ArgumentException("Database names here are letters, digits and underscores.", nameof(name));
        }

        await RunAsRootAsync(
            $"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci; GRANT ALL PRIVILEGES ON `{name}`.* TO '{UserName}'@'127.0.0.1';");
        return ConnectionString(name);
    }

    /// <summary>
    /// Creates another login (from 127.0.0.1) with all rights on <paramref name="database"/>, or gives an existing one
    /// <paramref name="password"/>: for tests of logins, such as a rotated password. Names and passwords here are
    /// letters, digits and underscores.
    /// </summary>
    public async Task SetUserAsync(string userName, string password, string database)
    {
        foreach (var (value, parameter) in new[] { (userName, nameof(userName)), (password, nameof(password)), (database, nameof(database)) })
        {
            if (value.Length == 0 || !value.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                throw new ArgumentException("Only letters, digits and underscores here.", parameter);
            }
        }

        await RunAsRootAsync(
            $"CREATE OR REPLACE USER '{userName}'@'127.0.0.1' IDENTIFIED BY '{password}'; GRANT ALL PRIVILEGES ON `{database}`.* TO '{userName}'@'127.0.0.1';");
    }

    /// <summary>
    /// Starts the server: again after <see cref="StopAsync"/>, on the same port and data; a running server is
    /// stopped first. Returns once it accepts connections.
    /// </summary>
    public async Task RestartAsync()
    {
        await StopAsync();

        // The port is chosen free before the server binds it; another process may take it in between, so a server
        // that dies at start gets a new port, but only before anyone has been given a connection string.
        var attempts = Port == 0 ? 3 : 1;
        for (var attempt = 1; ; attempt++)
        {
            if (Port == 0 || attempt > 1)
            {
                Port = FreeLoopbackPort();
            }

            _process = StartServerProcess();
            try
            {
                await WaitUntilAcceptingAsync(_process);
                break;
            }
            catch (InvalidOperationException) when (attempt < attempts && _process.HasExited)
            {
                _process.Dispose();
                _process = null;
            }
        }

        // Connections pooled before a stop point to a dead server; drop them so the next open is a fresh one.
        MySqlConnection.ClearAllPools();
    }

    /// <summary>Shuts the server down cleanly, keeping its data, e.g. to test what happens while the database is down.</summary>
    public async Task StopAsync()
    {
        var process = _process;
        _process = null;
        if (process is null)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                // SIGTERM is mariadbd's clean shutdown; the server process is ours, so no login is needed for it.
                if (NativeMethods.Kill(process.Id, NativeMethods.SigTerm) != 0)
                {
                    process.Kill(entireProcessTree: true);
                }

                using var timeout = new CancellationTokenSource(StopTimeout);
                try
                {
                    await process.WaitForExitAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync();
                }
            }
        }
        finally
        {
            process.Dispose();
            MySqlConnection.ClearAllPools();
        }
    }

    /// <summary>
    /// Leaves the server running after this process ends, with its folder, so a later benchmark can measure the same
    /// data again (<c>--database</c>, <c>--client-options</c>). Returns the client options file. Stop it by hand.
    /// </summary>
    public string KeepRunning()
    {
        AppDomain.CurrentDomain.ProcessExit -= KillOnExit;
        _kept = true;
        return ClientOptionsPath;
    }

    public async ValueTask DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= KillOnExit;
        if (_kept)
        {
            return;
        }

        try
        {
            await StopAsync();
        }
        finally
        {
            if (Directory.Exists(_folder))
            {
                Directory.Delete(_folder, recursive: true);
            }
        }
    }

    private void KillOnExit(object? sender, EventArgs e)
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
        }
    }

    private async Task InstallAsync() => await RunAsync("mariadb-install-db",
        [
            "--no-defaults",
            $"--datadir={DataDirectory}",
            "--user=root",
            "--auth-root-authentication-method=socket",
            "--skip-test-db",
            "--skip-name-resolve",
        ]);

    private async Task CreateCertificatesAsync()
    {
        using var authority = TestCertificates.CreateAuthority("ReportingApi test MariaDB CA");
        var (certificate, key) = TestCertificates.IssueServer(authority, "localhost");
        await File.WriteAllTextAsync(CertificateAuthorityPath, authority.ExportCertificatePem());
        await File.WriteAllTextAsync(ServerCertificatePath, certificate);
        await File.WriteAllTextAsync(ServerKeyPath, key);
    }

    /// <summary>Runs statements as root through the socket; they go in on standard input, so no password shows in a process list.</summary>
    private async Task RunAsRootAsync(string sql) => await RunAsync("mariadb",
        ["--no-defaults", "--protocol=socket", $"--socket={SocketPath}", "--user=root", "--batch"], sql);

    private Process StartServerProcess()
    {
        var server = ProcessFor(FindBinary("mariadbd"),
        [
            "--no-defaults",
            $"--datadir={DataDirectory}",
            "--user=root",
            $"--port={Port}",
            "--bind-address=127.0.0.1",
            $"--socket={SocketPath}",
            $"--pid-file={Path.Combine(_folder, PidFileName)}",
            $"--log-error={ErrorLogPath}",
            // Its own temporary folder: other processes clean /tmp, and a temporary table deleted there fails a query.
            $"--tmpdir={TemporaryFolder}",
            "--skip-log-bin",
            "--skip-name-resolve",
            "--character-set-server=utf8mb4",
            "--collation-server=utf8mb4_unicode_ci",
            "--local-infile=1",
            $"--ssl-ca={CertificateAuthorityPath}",
            $"--ssl-cert={ServerCertificatePath}",
            $"--ssl-key={ServerKeyPath}",
            $"--innodb-buffer-pool-size={InnoDbBufferPoolMegabytes}M",
            // Durability is worthless for a throw-away database; fewer fsyncs keep seeding and bulk loads fast.
            "--innodb-flush-log-at-trx-commit=0",
            "--innodb-doublewrite=0",
            // Native AIO is not available in every container or on every file system the folder may be on.
            "--innodb-use-native-aio=0",
            "--max-connections=200",
        ]);
        server.StartInfo.RedirectStandardOutput = true;
        server.StartInfo.RedirectStandardError = true;
        server.OutputDataReceived += (_, _) => { };
        server.ErrorDataReceived += (_, _) => { };
        server.Start();
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        return server;
    }

    /// <summary>Waits until the server accepts on its socket: a file of ours, so no other process on the port can answer instead.</summary>
    private async Task WaitUntilAcceptingAsync(Process server)
    {
        var elapsed = Stopwatch.StartNew();
        while (true)
        {
            if (server.HasExited)
            {
                throw new InvalidOperationException($"mariadbd exited with code {server.ExitCode} at start. Its log:\n{ErrorLogTail()}");
            }

            try
            {
                using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath));
                return;
            }
            catch (SocketException) when (elapsed.Elapsed < StartTimeout)
            {
                await Task.Delay(100);
            }
            catch (SocketException exception)
            {
                server.Kill(entireProcessTree: true);
                throw new InvalidOperationException($"mariadbd did not accept connections within {StartTimeout.TotalSeconds} s. Its log:\n{ErrorLogTail()}", exception);
            }
        }
    }

    private string ErrorLogTail() =>
        File.Exists(ErrorLogPath) ? string.Join('\n', File.ReadLines(ErrorLogPath).TakeLast(30)) : "(no log)";

    private static async Task RunAsync(string name, IEnumerable<string> arguments, string? input = null)
    {
        using var process = ProcessFor(FindBinary(name), arguments);
        process.StartInfo.RedirectStandardOutput = true;
        process.StartInfo.RedirectStandardError = true;
        process.StartInfo.RedirectStandardInput = input is not null;
        process.Start();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }

        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{name} failed with exit code {process.ExitCode}:\n{await output}\n{await error}");
        }
    }

    private static Process ProcessFor(string fileName, IEnumerable<string> arguments)
    {
        var process = new Process { StartInfo = new ProcessStartInfo(fileName) { UseShellExecute = false } };
        foreach (var argument in arguments)
        {
            process.StartInfo.ArgumentList.Add(argument);
        }

        return process;
    }

    private static string FindBinary(string name)
    {
        var folders = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Concat(BinaryFolders);
        return folders.Select(folder => Path.Combine(folder, name)).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException($"{name} was not found. Run tests/install/mariadb.sh (or tests/run.sh) first.");
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static class NativeMethods
    {
        public const int SigTerm = 15;

        [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Kill(int pid, int signal);
    }

    /// <summary>DbConnectionFactory reads the content root only for relative SQLite paths; MySQL needs none.</summary>
    private sealed class NoContentRootEnvironment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Development";

        public string ApplicationName { get; set; } = "ReportingApi.TestSupport";

        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
