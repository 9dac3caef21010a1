using Microsoft.Extensions.Options;
using Renci.SshNet;
using Renci.SshNet.Common;
using ReportingApi.Delivery.Connector;
using ReportingApi.Secrets;
using ReportingApi.Storage;

namespace ReportingApi.Delivery.Sftp;

/// <summary>
/// Delivers to a partner's SFTP server with SSH.NET, in process (so it works where there is no <c>sftp</c> program, such
/// as AWS Lambda). The server's host key must be the pinned one; the login is by private key and/or password read
/// through the secret source. Each object is streamed from the object store straight into the remote
/// <c>{name}.part</c> (nothing is written locally); once every file is up, each is renamed to its final name, in order.
/// The rename replaces an older file of that name: with <c>posix-rename@openssh.com</c> where the server allows it,
/// otherwise by removing the old file first, so a final name never shows a partial file.
/// </summary>
public sealed class SftpDelivery(IObjectStore store, SecretReferences secrets, IOptions<SftpDeliveryOptions> options, ILogger<SftpDelivery> logger) : IFileDelivery
{
    // Keeps NAT and firewall state alive while the object store is slow to hand over the next bytes.
    private static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(15);

    private readonly SftpDeliveryOptions _options = options.Value;

    public DeliveryKind Kind => DeliveryKind.Sftp;

    public async Task<DeliveryOutcome> DeliverAsync(DeliveryTarget target, IReadOnlyList<DeliveryFile> files, CancellationToken cancellationToken)
    {
        var server = SftpServer.From(target);
        var remoteFiles = files.Select(f => new RemoteFile(f.ObjectKey, RemotePaths.Combine(target.RemoteDirectory, f.RemoteName))).ToList();
        if (files.Count == 0)
        {
            return DeliveryOutcome.Delivered;
        }

        using var login = await ReadLoginAsync(target, cancellationToken);
        var attempt = new SftpAttempt(server, login.Description);
        using var client = CreateClient(server, login, attempt);
        try
        {
            await ConnectAsync(client, cancellationToken);
            foreach (var file in remoteFiles)
            {
                attempt.Upload(file.Path);
                await UploadAsync(client, file, attempt, cancellationToken);
            }

            foreach (var file in remoteFiles)
            {
                attempt.Rename(file.Path);
                await PlaceAsync(client, file, attempt, cancellationToken);
            }
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            if (e is SshAuthenticationException)
            {
                ForgetLogin(target);
            }

            var failure = e as DeliveryException
                ?? SftpFailures.Describe(e, attempt, _options, await FreeBytesAfterFailedWriteAsync(client, e, attempt, target.RemoteDirectory));
            logger.LogWarning(e, "SFTP delivery to {User}@{Host}:{Port} failed: {Reason}", server.User, server.Host, server.Port, failure.Message);
            await RemovePartsAsync(client, remoteFiles);
            throw failure;
        }

        logger.LogInformation("Delivered {Count} file(s) by SFTP to {User}@{Host}:{Port} {Directory}", files.Count, server.User, server.Host, server.Port, target.RemoteDirectory);
        return DeliveryOutcome.Delivered;
    }

    private async Task<SftpLogin> ReadLoginAsync(DeliveryTarget target, CancellationToken cancellationToken)
    {
        try
        {
            return await SftpLogin.ReadAsync(target, secrets, logger, cancellationToken);
        }
        catch (DeliveryException)
        {
            ForgetLogin(target);
            throw;
        }
    }

    /// <summary>After a refused or unusable login the secrets are read afresh next time, so a rotated or corrected one is used at once.</summary>
    private void ForgetLogin(DeliveryTarget target)
    {
        foreach (var reference in new[] { target.PrivateKeySecret, target.PassphraseSecret, target.PasswordSecret }.OfType<string>())
        {
            secrets.Forget(reference);
        }
    }

    private SftpClient CreateClient(SftpServer server, SftpLogin login, SftpAttempt attempt)
    {
        var connection = new Renci.SshNet.ConnectionInfo(server.Host, server.Port, server.User, [.. login.Methods]) { Timeout = _options.ConnectTimeout };

        // Offer only the pinned key's algorithms: a server with keys of several types then shows the pinned one.
        foreach (var algorithm in connection.HostKeyAlgorithms.Keys.Except(server.HostKey.Algorithms).ToList())
        {
            connection.HostKeyAlgorithms.Remove(algorithm);
        }

        var client = new SftpClient(connection) { OperationTimeout = _options.IdleTimeout, KeepAliveInterval = KeepAliveInterval };
        client.HostKeyReceived += (_, e) =>
        {
            e.CanTrust = server.HostKey.Matches(e.HostKey);
            attempt.HostKeyPresented(e.HostKey, e.CanTrust);
        };
        return client;
    }

    private async Task ConnectAsync(SftpClient client, CancellationToken cancellationToken)
    {
        // SSH.NET bounds the handshake by ConnectionInfo.Timeout; this bounds reaching the server and its banner.
        using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connectTimeout.CancelAfter(_options.ConnectTimeout);
        await client.ConnectAsync(connectTimeout.Token);

        // From now on ConnectionInfo.Timeout bounds waiting for the server to take more data (its window).
        client.ConnectionInfo.Timeout = _options.IdleTimeout;
    }

    private async Task UploadAsync(SftpClient client, RemoteFile file, SftpAttempt attempt, CancellationToken cancellationToken)
    {
        await using var source = await DeliverySource.OpenAsync(store, file.ObjectKey, cancellationToken);

        // Opened with truncate: a .part left by an earlier attempt is overwritten.
        await client.UploadFileAsync(source, file.PartPath, attempt, cancellationToken);
    }

    private async Task PlaceAsync(SftpClient client, RemoteFile file, SftpAttempt attempt, CancellationToken cancellationToken)
    {
        if (attempt.PosixRename)
        {
            try
            {
                // SSH.NET has posix-rename only as a blocking call; it waits at most OperationTimeout.
                await Task.Run(() => client.RenameFile(file.PartPath, file.Path, isPosix: true), cancellationToken);
                return;
            }
            catch (Exception e) when (e is NotSupportedException or SftpException { StatusCode: Renci.SshNet.Sftp.StatusCode.PermissionDenied or Renci.SshNet.Sftp.StatusCode.OperationUnsupported })
            {
                // Not offered (NotSupportedException) or refused, as many Windows servers do: remove, then rename.
                logger.LogInformation("SFTP server {Host}:{Port} does not allow posix-rename ({Reason}); replacing files by remove and rename", attempt.Server.Host, attempt.Server.Port, e.Message);
                attempt.PosixRename = false;
            }
        }

        try
        {
            await client.DeleteFileAsync(file.Path, cancellationToken);
        }
        catch (SftpPathNotFoundException)
        {
            // Nothing to replace.
        }

        await client.RenameFileAsync(file.PartPath, file.Path, cancellationToken);
    }

    /// <summary>
    /// OpenSSH's server answers a full disk with a bare "Failure" (SFTP v3 has no code for it): after such a failed
    /// write, the free space of the remote directory (<c>statvfs@openssh.com</c>) tells whether the disk is full.
    /// </summary>
    private async Task<ulong?> FreeBytesAfterFailedWriteAsync(SftpClient client, Exception exception, SftpAttempt attempt, string remoteDirectory)
    {
        if (exception is not SftpException { StatusCode: Renci.SshNet.Sftp.StatusCode.Failure } || attempt.Step != SftpStep.Uploading || !client.IsConnected)
        {
            return null;
        }

        try
        {
            using var timeout = new CancellationTokenSource(_options.IdleTimeout);
            var status = await client.GetStatusAsync(remoteDirectory, timeout.Token);
            return status.AvailableBlocks * status.BlockSize;
        }
        catch (Exception e) when (e is SshException or NotSupportedException or OperationCanceledException)
        {
            logger.LogDebug(e, "SFTP server {Host}:{Port} could not say how much space is free", attempt.Server.Host, attempt.Server.Port);
            return null;
        }
    }

    /// <summary>Removes the <c>.part</c> files of a failed attempt (it frees the space of a full disk), where the connection still allows it.</summary>
    private async Task RemovePartsAsync(SftpClient client, IReadOnlyList<RemoteFile> files)
    {
        if (!client.IsConnected)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(_options.IdleTimeout);
        foreach (var file in files)
        {
            try
            {
                await client.DeleteFileAsync(file.PartPath, timeout.Token);
            }
            catch (Exception e) when (e is SshException or OperationCanceledException or ObjectDisposedException)
            {
                // Not there (never started, or renamed already), or the connection is gone: the next attempt overwrites it.
                logger.LogDebug("Could not remove {Part}: {Reason}", file.PartPath, e.Message);
            }
        }
    }

    /// <summary>A file to upload: the object it is read from, its final remote path and the path it is uploaded to.</summary>
    private sealed record RemoteFile(string ObjectKey, string Path)
    {
        public string PartPath { get; } = RemotePaths.PartName(Path);
    }
}
