using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Dapper;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MySql.Data.MySqlClient;
using ReportingApi.Data;
using ReportingApi.Data.DemoData;
using ReportingApi.Partners;

namespace ReportingApi.IntegrationTests.Infrastructure;

/// <summary>
/// A private MariaDB server for one test collection: its own datadir in a temporary folder, a free loopback port,
/// a socket file of its own, started once and removed on dispose. The main database is migrated with the app's
/// <see cref="MigrationRunner"/> and seeded with <see cref="DemoDataSeeder"/> (<see cref="SeededContracts"/> contracts,
/// the demo partners), so tests compare the app's output with what is really stored.
/// Needs <c>mariadbd</c> and <c>mariadb-install-db</c> (tests/install/mariadb.sh).
/// </summary>
public sealed class MariaDbServer : IAsyncLifetime
{
    public const int SeededContracts = 3_000;
    public const string DatabaseName = "reporting";
    private const string UserName = "reporting_app";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);
    private static readonly string[] BinaryFolders = ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"];

    // One password per run: the server lives only as long as the tests.
    private readonly string _password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
    private readonly string _root = Path.Combine(Path.GetTempPath(), "reportingapi-mariadb-" + Guid.NewGuid().ToString("N")[..12]);
    private Process? _process;
    private int _databaseCount;

    public int Port { get; private set; }

    private string DataDirectory => Path.Combine(_root, "data");

    private string SocketPath => Path.Combine(_root, "mysqld.sock");

    private string ErrorLogPath => Path.Combine(_root, "error.log");

    /// <summary>Connection string of the seeded database, as the app would use it (MySql.Data format, TCP on loopback).</summary>
    public string ConnectionString => ConnectionStringFor(DatabaseName);

    public bool IsRunning => _process is { HasExited: false };

    public async Task InitializeAsync()
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The MariaDB test server runs on Linux (tests/install/mariadb.sh).");
        }

        // A test host that is torn down without disposing fixtures must not leave a server behind.
        AppDomain.CurrentDomain.ProcessExit += KillOnExit;
        // Owner-only: root logs in through the socket inside it without a password.
        Directory.CreateDirectory(_root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            await InstallDatabaseAsync();
            await StartAsync();
            await using (var root = await OpenRootAsync())
            {
                await root.ExecuteAsync($"CREATE USER '{UserName}'@'127.0.0.1' IDENTIFIED BY '{_password}'");
            }

            await CreateDatabaseAsync(DatabaseName);
            await SeedAsync(ConnectionString, SeededContracts);
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= KillOnExit;
        try
        {
            await StopAsync();
        }
        finally
        {
            if (Directory.Exists(_root))
            {
                Directory.Delete(_root, recursive: true);
            }
        }
    }

    /// <summary>
    /// Creates an empty database (utf8mb4) that the app's user may use, and returns its connection string.
    /// Without a name, a new unique one is chosen.
    /// </summary>
    public async Task<string> CreateDatabaseAsync(string? name = null)
    {
        name ??= string.Create(CultureInfo.InvariantCulture, $"test_{Interlocked.Increment(ref _databaseCount)}_{Guid.NewGuid().ToString("N")[..8]}");
        if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            throw new ArgumentException("Database names here are letters, digits and underscores.", nameof(name));
        }

        await using var root = await OpenRootAsync();
        await root.ExecuteAsync($"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
        await root.ExecuteAsync($"GRANT ALL PRIVILEGES ON `{name}`.* TO '{UserName}'@'127.0.0.1'");
        return ConnectionStringFor(name);
    }

    /// <summary>Migrates the database with the app's scripts and fills it with generated contracts and the demo partners.</summary>
    public static async Task SeedAsync(string connectionString, int contracts)
    {
        var connections = ConnectionFactory(connectionString);
        await new MigrationRunner(connections, NullLogger<MigrationRunner>.Instance).MigrateAsync();
        await using var connection = await connections.OpenAsync();
        await DemoDataSeeder.SeedAsync(connection, new DemoDataGenerator(contracts), DemoPartners.All);
    }

    /// <summary>The app's own connection factory (it applies the MySql.Data utf8mb3 fix) for a connection string.</summary>
    public static DbConnectionFactory ConnectionFactory(string connectionString) => new(
        Options.Create(new DatabaseOptions { Provider = DatabaseProvider.MySql, ConnectionString = connectionString }),
        new FixedHostEnvironment());

    /// <summary>Starts the server (again) on the same port and datadir, and waits until it accepts connections.</summary>
    public async Task StartAsync()
    {
        if (IsRunning)
        {
            return;
        }

        // The port is chosen free before the server binds it; another process may take it in between, so a
        // server that dies at start gets a new port, but only before anyone has been given the connection string.
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

    /// <summary>Shuts the server down cleanly (datadir kept), for tests of what happens while the database is down.</summary>
    public async Task StopAsync()
    {
        if (_process is null)
        {
            return;
        }

        if (!_process.HasExited)
        {
            // SIGTERM is mariadbd's clean shutdown. (The SHUTDOWN statement works too, but MySql.Data then waits
            // for an answer that never comes until its command timeout.)
            if (NativeMethods.Kill(_process.Id, NativeMethods.SigTerm) != 0)
            {
                _process.Kill(entireProcessTree: true);
            }

            using var timeout = new CancellationTokenSource(StopTimeout);
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
        _process = null;
        MySqlConnection.ClearAllPools();
    }

    private void KillOnExit(object? sender, EventArgs e)
    {
        if (IsRunning)
        {
            _process!.Kill(entireProcessTree: true);
        }
    }

    private string ConnectionStringFor(string database) => new MySqlConnectionStringBuilder
    {
        Server = "127.0.0.1",
        Port = (uint)Port,
        Database = database,
        UserID = UserName,
        Password = _password,
        SslMode = MySqlSslMode.None,
        CharacterSet = "utf8mb4",
        AllowLoadLocalInfile = true,
        ConnectionTimeout = 5,
    }.ConnectionString;

    private async Task<MySqlConnection> OpenRootAsync()
    {
        // root has no password, but logs in only through the server's socket file, in a folder only we can enter.
        var connection = new MySqlConnection(new MySqlConnectionStringBuilder
        {
            Server = SocketPath,
            ConnectionProtocol = MySqlConnectionProtocol.UnixSocket,
            UserID = "root",
            SslMode = MySqlSslMode.None,
            Pooling = false,
            ConnectionTimeout = 5,
        }.ConnectionString);
        try
        {
            await connection.OpenAsync();
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private async Task InstallDatabaseAsync()
    {
        using var install = ProcessFor(FindBinary("mariadb-install-db"),
        [
            "--no-defaults",
            $"--datadir={DataDirectory}",
            "--user=root",
            "--auth-root-authentication-method=normal",
            "--skip-test-db",
            "--skip-name-resolve",
        ]);
        install.StartInfo.RedirectStandardOutput = true;
        install.StartInfo.RedirectStandardError = true;
        install.Start();
        var output = install.StandardOutput.ReadToEndAsync();
        var error = install.StandardError.ReadToEndAsync();
        await install.WaitForExitAsync();
        if (install.ExitCode != 0)
        {
            throw new InvalidOperationException($"mariadb-install-db failed with exit code {install.ExitCode}:\n{await output}\n{await error}");
        }
    }

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
            $"--pid-file={Path.Combine(_root, "mysqld.pid")}",
            $"--log-error={ErrorLogPath}",
            "--skip-log-bin",
            "--skip-name-resolve",
            "--character-set-server=utf8mb4",
            "--collation-server=utf8mb4_unicode_ci",
            "--local-infile=1",
            "--innodb-buffer-pool-size=256M",
            // Durability is worthless for a throw-away test database; fewer fsyncs keep seeding fast on slow disks.
            "--innodb-flush-log-at-trx-commit=0",
            "--innodb-doublewrite=0",
            // Native AIO is not available in every container or on every file system the temp folder may be on.
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

    private async Task WaitUntilAcceptingAsync(Process server)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (server.HasExited)
            {
                throw new InvalidOperationException($"mariadbd exited with code {server.ExitCode} at start. Its log:\n{ErrorLogTail()}");
            }

            try
            {
                await using var root = await OpenRootAsync();
                return;
            }
            catch (MySqlException) when (deadline.Elapsed < StartTimeout)
            {
                await Task.Delay(100);
            }
            catch (MySqlException exception)
            {
                server.Kill(entireProcessTree: true);
                throw new InvalidOperationException($"mariadbd did not accept connections within {StartTimeout.TotalSeconds} s. Its log:\n{ErrorLogTail()}", exception);
            }
        }
    }

    private string ErrorLogTail() =>
        File.Exists(ErrorLogPath) ? string.Join('\n', File.ReadLines(ErrorLogPath).TakeLast(30)) : "(no log)";

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

    /// <summary>DbConnectionFactory only reads the content root, for relative SQLite paths; MySQL needs none.</summary>
    private sealed class FixedHostEnvironment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Development";

        public string ApplicationName { get; set; } = "ReportingApi.IntegrationTests";

        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
