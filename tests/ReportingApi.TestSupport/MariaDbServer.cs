using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MySql.Data.MySqlClient;
using ReportingApi.Data;

namespace ReportingApi.TestSupport;

/// <summary>
/// A private MariaDB server for tests and benchmarks: its own data directory in a temporary folder, a free
/// loopback port, a user with a password; stopped and deleted on dispose. Needs mariadb-server installed
/// (tests/install/mariadb.sh).
/// </summary>
public sealed class MariaDbServer : IDisposable
{
    public const string User = "reporting";
    public const string Password = "reporting-test-password";

    private readonly string _folder;
    private readonly string _dataDirectory;
    private Process? _process;

    private MariaDbServer(string folder, int innoDbBufferPoolMegabytes)
    {
        _folder = folder;
        _dataDirectory = Path.Combine(folder, "data");
        InnoDbBufferPoolMegabytes = innoDbBufferPoolMegabytes;
        Port = FreePort();
    }

    public int Port { get; }

    public int InnoDbBufferPoolMegabytes { get; }

    public string SocketPath => Path.Combine(_folder, "mysqld.sock");

    /// <summary>Creates the data directory and starts the server; <paramref name="parentFolder"/> defaults to the temp folder.</summary>
    public static async Task<MariaDbServer> StartAsync(string? parentFolder = null, int innoDbBufferPoolMegabytes = 256)
    {
        var folder = Directory.CreateTempSubdirectory("reportingapi-mariadb-").FullName;
        if (parentFolder is not null)
        {
            Directory.Delete(folder);
            folder = Path.Combine(parentFolder, Path.GetFileName(folder));
            Directory.CreateDirectory(folder);
        }

        var server = new MariaDbServer(folder, innoDbBufferPoolMegabytes);
        try
        {
            await RunAsync("mariadb-install-db", $"--no-defaults --user=root --datadir={server._dataDirectory} --auth-root-authentication-method=socket --skip-test-db");
            await server.StartProcessAsync();
            await RunAsync("mariadb", $"--no-defaults --protocol=socket --socket={server.SocketPath} -uroot -e \"CREATE USER '{User}'@'127.0.0.1' IDENTIFIED BY '{Password}'; GRANT ALL ON *.* TO '{User}'@'127.0.0.1'; FLUSH PRIVILEGES;\"");
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>A MySql.Data connection string for <paramref name="database"/>, with bulk load enabled.</summary>
    public string ConnectionString(string database) =>
        $"Server=127.0.0.1;Port={Port};Database={database};User ID={User};Password={Password};SslMode=None;AllowLoadLocalInfile=true;CharSet=utf8mb4;DefaultCommandTimeout=600";

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string database)
    {
        MySqlCharsetFix.Apply();
        await using var connection = new MySqlConnection(ConnectionString("mysql"));
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"CREATE DATABASE `{database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci";
        await command.ExecuteNonQueryAsync();
        return ConnectionString(database);
    }

    /// <summary>The arguments for the <c>mariadb</c> command-line client, for comparisons and benchmarks.</summary>
    public string ClientArguments(string database) => $"--no-defaults -h127.0.0.1 -P{Port} -u{User} -p{Password} {database}";

    public void Stop()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(30_000);
        }

        _process?.Dispose();
        _process = null;
    }

    public Task RestartAsync()
    {
        Stop();
        return StartProcessAsync();
    }

    public void Dispose()
    {
        Stop();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by the dying server: the temp folder is cleaned by the OS.
        }
    }

    private async Task StartProcessAsync()
    {
        var start = new ProcessStartInfo("mariadbd",
            $"--no-defaults --user=root --datadir={_dataDirectory} --port={Port} --bind-address=127.0.0.1 --socket={SocketPath} " +
            $"--pid-file={Path.Combine(_folder, "mysqld.pid")} --skip-log-bin --innodb-buffer-pool-size={InnoDbBufferPoolMegabytes}M " +
            "--innodb-flush-log-at-trx-commit=2 --innodb-doublewrite=0 --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci --local-infile=1 --max-connections=200")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        _process = Process.Start(start)!;
        _process.ErrorDataReceived += (_, _) => { };
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"mariadbd exited with {_process.ExitCode} at start.");
            }

            if (File.Exists(SocketPath) && await AcceptsConnectionsAsync())
            {
                return;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException("mariadbd did not accept connections within 60 s.");
    }

    private async Task<bool> AcceptsConnectionsAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static async Task RunAsync(string command, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(command, arguments) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} failed ({process.ExitCode}): {error}{await output}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
