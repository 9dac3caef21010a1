using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using ReportingApi.Storage;

namespace ReportingApi.Transfer;

/// <summary>
/// Delivers to a partner's SFTP server with OpenSSH <c>sftp</c> in batch mode: key authentication only, the server's
/// host key pinned from <see cref="DeliveryTarget.HostKey"/> (never trusted on first use). Each object is first copied
/// to a private temporary file; all files go up as <c>{name}.part</c> and are then renamed, in order, to their final
/// names (OpenSSH uses posix-rename, which replaces an existing file).
/// </summary>
public sealed partial class SftpDelivery(IObjectStore store, IOptions<SftpDeliveryOptions> options, ILogger<SftpDelivery> logger) : IFileDelivery
{
    private const int CopyBufferSize = 81920;
    private const int StderrLinesKept = 40;
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly SftpDeliveryOptions _options = options.Value;

    public DeliveryKind Kind => DeliveryKind.Sftp;

    public async Task DeliverAsync(DeliveryTarget target, IReadOnlyList<DeliveryFile> files, CancellationToken cancellationToken)
    {
        var server = SftpServer.From(target);
        var remotePaths = files.Select(f => RemotePaths.Combine(target.RemoteDirectory, f.RemoteName)).ToList();
        if (files.Count == 0)
        {
            return;
        }

        // Created 0700: the copies of the reports and the batch file are readable by this user only.
        var workDirectory = Directory.CreateTempSubdirectory("reportingapi-sftp-");
        try
        {
            var localNames = new List<string>(files.Count);
            for (var i = 0; i < files.Count; i++)
            {
                var localName = $"file-{i}";
                await DownloadAsync(files[i].ObjectKey, Path.Combine(workDirectory.FullName, localName), cancellationToken);
                localNames.Add(localName);
            }

            var knownHostsPath = Path.Combine(workDirectory.FullName, "known_hosts");
            await WritePrivateFileAsync(knownHostsPath, server.KnownHostsLine + "\n", cancellationToken);
            var batchPath = Path.Combine(workDirectory.FullName, "batch");
            await WritePrivateFileAsync(batchPath, BuildBatch(workDirectory.FullName, localNames, remotePaths), cancellationToken);

            await RunSftpAsync(server, knownHostsPath, batchPath, cancellationToken);
        }
        finally
        {
            try
            {
                workDirectory.Delete(recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                logger.LogWarning(e, "Could not remove the temporary folder {Path}", workDirectory.FullName);
            }
        }

        logger.LogInformation("Delivered {Count} file(s) by SFTP to {User}@{Host}:{Port} {Directory}", files.Count, server.User, server.Host, server.Port, target.RemoteDirectory);
    }

    /// <summary>
    /// The sftp batch: a leftover <c>.part</c> of an earlier attempt is removed first (<c>-</c>: a missing one is fine),
    /// then every file is put as <c>.part</c>, then renamed in order, so a final name only ever shows a complete file.
    /// </summary>
    internal static string BuildBatch(string localDirectory, IReadOnlyList<string> localNames, IReadOnlyList<string> remotePaths)
    {
        if (localDirectory.AsSpan().IndexOfAny("\"\\\n\r") >= 0)
        {
            throw new InvalidOperationException($"The temporary folder '{localDirectory}' cannot be named in an sftp batch.");
        }

        var batch = new StringBuilder();
        batch.Append("lcd \"").Append(localDirectory).Append("\"\n");
        for (var i = 0; i < remotePaths.Count; i++)
        {
            var part = RemotePaths.PartName(remotePaths[i]);
            batch.Append("-rm \"").Append(part).Append("\"\n");
            batch.Append("put ").Append(localNames[i]).Append(" \"").Append(part).Append("\"\n");
        }

        foreach (var remotePath in remotePaths)
        {
            batch.Append("rename \"").Append(RemotePaths.PartName(remotePath)).Append("\" \"").Append(remotePath).Append("\"\n");
        }

        return batch.ToString();
    }

    internal static List<string> BuildArguments(SftpServer server, string knownHostsPath, string batchPath, int connectTimeoutSeconds) =>
    [
        "-b", batchPath,
        // No user or system ssh_config: what is below is all that applies.
        "-F", "/dev/null",
        "-o", "BatchMode=yes",
        "-o", "StrictHostKeyChecking=yes",
        "-o", $"UserKnownHostsFile=\"{knownHostsPath}\"",
        "-o", "GlobalKnownHostsFile=/dev/null",
        "-o", "UpdateHostKeys=no",
        "-o", "CheckHostIP=no",
        "-o", "IdentitiesOnly=yes",
        "-o", "IdentityAgent=none",
        "-o", "PreferredAuthentications=publickey",
        "-o", "PasswordAuthentication=no",
        "-o", "KbdInteractiveAuthentication=no",
        "-o", $"ConnectTimeout={connectTimeoutSeconds}",
        "-o", "ServerAliveInterval=15",
        "-o", "ServerAliveCountMax=4",
        "-o", $"User={server.User}",
        "-i", server.PrivateKeyPath,
        "-P", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        server.Host.Contains(':', StringComparison.Ordinal) ? $"[{server.Host}]" : server.Host,
    ];

    /// <summary>Turns a failed sftp run into a reason for the run's record: what went wrong, whether retrying can help.</summary>
    internal static DeliveryException Classify(SftpServer server, int exitCode, IReadOnlyList<string> stderr)
    {
        var output = string.Join('\n', stderr);
        var where = $"{server.Host}:{server.Port}";
        bool Says(string text) => output.Contains(text, StringComparison.OrdinalIgnoreCase);

        if (Says("Host key verification failed") || Says("REMOTE HOST IDENTIFICATION HAS CHANGED") || Says("host key is known for"))
        {
            return new DeliveryException($"SFTP server {where} refused: its host key does not match the pinned key.", transient: false);
        }

        if (Says("Load key") || Says("UNPROTECTED PRIVATE KEY FILE") || Says("invalid format") || Says("No such identity"))
        {
            return new DeliveryException($"SFTP to {where}: the configured private key could not be used.", transient: false);
        }

        if (Says("Permission denied (") || Says("Too many authentication failures"))
        {
            return new DeliveryException($"SFTP server {where} refused the login of user '{server.User}' with the configured key.", transient: false);
        }

        if (Says("Connection refused") || Says("timed out") || Says("No route to host") || Says("Network is unreachable")
            || Says("Connection reset") || Says("kex_exchange_identification") || Says("Could not resolve hostname")
            || Says("Temporary failure in name resolution") || Says("Broken pipe"))
        {
            return new DeliveryException($"Could not reach SFTP server {where}: {LastLine(stderr)}", transient: true);
        }

        if (exitCode != 255 && (Says("No such file or directory") || Says("Permission denied")))
        {
            return new DeliveryException($"SFTP server {where} refused the upload (missing or read-only remote directory?): {LastLine(stderr)}", transient: false);
        }

        return new DeliveryException($"sftp to {where} failed (exit code {exitCode}): {LastLine(stderr)}", transient: true);
    }

    private async Task DownloadAsync(string objectKey, string path, CancellationToken cancellationToken)
    {
        await using (var source = await DeliverySource.OpenAsync(store, objectKey, cancellationToken))
        {
            var fileOptions = PrivateFileOptions();
            fileOptions.BufferSize = CopyBufferSize;
            fileOptions.Options = FileOptions.Asynchronous;
            await using var destination = new FileStream(path, fileOptions);
            await source.CopyToAsync(destination, CopyBufferSize, cancellationToken);
        }
    }

    private static async Task WritePrivateFileAsync(string path, string content, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, PrivateFileOptions());
        await stream.WriteAsync(Encoding.UTF8.GetBytes(content), cancellationToken);
    }

    /// <summary>A new file only this user can read (0600).</summary>
    private static FileStreamOptions PrivateFileOptions()
    {
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = OwnerReadWrite;
        }

        return fileOptions;
    }

    private async Task RunSftpAsync(SftpServer server, string knownHostsPath, string batchPath, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(_options.SftpPath)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in BuildArguments(server, knownHostsPath, batchPath, _options.ConnectTimeoutSeconds))
        {
            startInfo.ArgumentList.Add(argument);
        }

        // Only the configured key may be offered, never one from an agent of whoever started the app.
        startInfo.Environment.Remove("SSH_AUTH_SOCK");

        var stderr = new Queue<string>();
        using var process = new Process { StartInfo = startInfo };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (stderr)
            {
                stderr.Enqueue(e.Data);
                if (stderr.Count > StderrLinesKept)
                {
                    stderr.Dequeue();
                }
            }
        };

        // stdout only echoes the batch commands.
        process.OutputDataReceived += (_, _) => { };

        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new DeliveryException($"Could not start '{_options.SftpPath}': {e.Message}", transient: false, e);
        }

        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        process.StandardInput.Close();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            await StopAsync(process);
            cancellationToken.ThrowIfCancellationRequested();
            throw new DeliveryException(
                $"sftp to {server.Host}:{server.Port} did not finish within {_options.Timeout}; it was stopped.", transient: true);
        }

        if (process.ExitCode != 0)
        {
            List<string> lines;
            lock (stderr)
            {
                lines = [.. stderr];
            }

            var failure = Classify(server, process.ExitCode, lines);
            logger.LogWarning("sftp to {Host}:{Port} failed with exit code {ExitCode}: {Reason}. sftp said: {Stderr}",
                server.Host, server.Port, process.ExitCode, failure.Message, string.Join(" | ", lines));
            throw failure;
        }
    }

    private async Task StopAsync(Process process)
    {
        try
        {
            // sftp runs ssh as a child: stop both.
            process.Kill(entireProcessTree: true);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await process.WaitForExitAsync(grace.Token);
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
        {
            logger.LogWarning(e, "Could not confirm that sftp (pid {Pid}) stopped", process.Id);
        }
    }

    private static string LastLine(IReadOnlyList<string> stderr) =>
        stderr.LastOrDefault(l => !string.IsNullOrWhiteSpace(l) && !l.StartsWith("sftp>", StringComparison.Ordinal) && l.Trim() != "Connection closed")?.Trim()
        ?? "no message";

    /// <summary>A checked SFTP destination: host, port, user, pinned host key, key file.</summary>
    internal sealed partial record SftpServer(string Host, int Port, string User, string HostKeyType, string HostKeyBase64, string PrivateKeyPath)
    {
        /// <summary>The known_hosts line that pins the key: <c>[host]:port type base64</c> (bare host on port 22, as ssh looks it up).</summary>
        public string KnownHostsLine => $"{(Port == 22 ? Host : $"[{Host}]:{Port}")} {HostKeyType} {HostKeyBase64}";

        public static SftpServer From(DeliveryTarget target)
        {
            var host = target.Host?.Trim().ToLowerInvariant();
            if (string.IsNullOrEmpty(host) || !HostPattern().IsMatch(host))
            {
                throw Invalid("has no valid Host");
            }

            if (target.Port is < 1 or > 65535)
            {
                throw Invalid("has no valid Port");
            }

            if (string.IsNullOrEmpty(target.User) || !UserPattern().IsMatch(target.User))
            {
                throw Invalid("has no valid User");
            }

            var (keyType, keyBase64) = ParseHostKey(target.HostKey)
                ?? throw Invalid("has no valid HostKey (expected \"type base64\" as in known_hosts, e.g. \"ssh-ed25519 AAAA...\"); the host key is never trusted on first use");

            if (string.IsNullOrWhiteSpace(target.PrivateKeyPath))
            {
                throw Invalid("has no PrivateKeyPath");
            }

            if (!File.Exists(target.PrivateKeyPath))
            {
                throw Invalid("names a private key file that does not exist");
            }

            return new SftpServer(host, target.Port, target.User, keyType, keyBase64, target.PrivateKeyPath);
        }

        /// <summary>
        /// Accepts <c>type base64 [comment]</c> when the key blob really is a key of that type (its first field names
        /// the type), so a pasted fingerprint or a truncated key is refused when the partner is set up, not at 3 a.m.
        /// </summary>
        internal static (string Type, string Base64)? ParseHostKey(string? hostKey)
        {
            var parts = hostKey?.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (parts is null || parts.Length < 2 || !KeyTypePattern().IsMatch(parts[0]))
            {
                return null;
            }

            var blob = new byte[parts[1].Length];
            if (!Convert.TryFromBase64String(parts[1], blob, out var length) || length < 4)
            {
                return null;
            }

            var typeLength = BinaryPrimitives.ReadUInt32BigEndian(blob);
            if (typeLength > length - 4 || Encoding.ASCII.GetString(blob, 4, (int)typeLength) != parts[0])
            {
                return null;
            }

            return (parts[0], parts[1]);
        }

        private static DeliveryException Invalid(string what) => new($"The SFTP delivery target {what}.", transient: false);

        [GeneratedRegex(@"^[a-z0-9:][a-z0-9.:_-]*$")]
        private static partial Regex HostPattern();

        [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9._-]*$")]
        private static partial Regex UserPattern();

        [GeneratedRegex(@"^(ssh-|ecdsa-|sk-|rsa-)[a-z0-9@.-]+$")]
        private static partial Regex KeyTypePattern();
    }
}
