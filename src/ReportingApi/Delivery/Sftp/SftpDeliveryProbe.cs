using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Renci.SshNet;
using Renci.SshNet.Common;
using ReportingApi.Delivery.Connector;
using ReportingApi.Secrets;

namespace ReportingApi.Delivery.Sftp;

/// <summary>
/// Tests an SFTP target step by step, as a first delivery would meet it: the host name resolves, a TCP connection is
/// taken, the server shows the pinned host key, the login is accepted, and the remote directory takes a probe file
/// (written as <c>.part</c>, renamed, removed; removed also when a step fails).
/// </summary>
public sealed class SftpDeliveryProbe(SecretReferences secrets, IOptions<SftpDeliveryOptions> options, ILogger<SftpDeliveryProbe> logger) : IDeliveryProbe
{
    public const string Dns = "dns";
    public const string TcpConnect = "tcp-connect";
    public const string HostKey = "host-key";
    public const string Login = "login";
    public const string DirectoryWritable = "remote-directory-writable";

    private readonly SftpDeliveryOptions _options = options.Value;

    public DeliveryKind Kind => DeliveryKind.Sftp;

    public async Task<IReadOnlyList<DeliveryCheck>> ProbeAsync(DeliveryTarget target, CancellationToken cancellationToken)
    {
        var checks = new DeliveryCheckList(Dns, TcpConnect, HostKey, Login, DirectoryWritable);
        SftpServer server;
        try
        {
            server = SftpServer.From(target);
        }
        catch (DeliveryException e)
        {
            checks.Fail(Dns, e.Message);
            return checks.Result();
        }

        if (await ResolveAsync(server, checks, cancellationToken) is { } addresses && await ConnectTcpAsync(server, addresses, checks, cancellationToken))
        {
            await LogInAndWriteAsync(server, target, checks, cancellationToken);
        }

        return checks.Result();
    }

    private static async Task<IPAddress[]?> ResolveAsync(SftpServer server, DeliveryCheckList checks, CancellationToken cancellationToken)
    {
        try
        {
            var addresses = await System.Net.Dns.GetHostAddressesAsync(server.Host, cancellationToken);
            checks.Ok(Dns);
            return addresses;
        }
        catch (SocketException e)
        {
            checks.Fail(Dns, $"The host name {server.Host} does not resolve ({e.SocketErrorCode}).");
            return null;
        }
    }

    private async Task<bool> ConnectTcpAsync(SftpServer server, IPAddress[] addresses, DeliveryCheckList checks, CancellationToken cancellationToken)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ConnectTimeout);
        try
        {
            await socket.ConnectAsync(addresses, server.Port, timeout.Token);
            checks.Ok(TcpConnect);
            return true;
        }
        catch (SocketException e)
        {
            checks.Fail(TcpConnect, e.SocketErrorCode == SocketError.ConnectionRefused
                ? $"Connection to {server} refused: nothing listens on port {server.Port}."
                : $"Could not connect to {server}: {e.Message} ({e.SocketErrorCode}).");
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            checks.Fail(TcpConnect, $"No TCP connection to {server} within {_options.ConnectTimeout.TotalSeconds:0.#} s.");
            return false;
        }
    }

    private async Task LogInAndWriteAsync(SftpServer server, DeliveryTarget target, DeliveryCheckList checks, CancellationToken cancellationToken)
    {
        string? unreadableLogin = null;
        SftpLogin? login = null;
        try
        {
            login = await SftpLogin.ReadAsync(target, secrets, logger, cancellationToken);
        }
        catch (DeliveryException e)
        {
            unreadableLogin = e.Message;
        }

        using (login)
        {
            // Without a usable login the handshake still shows the host key: "none" is then offered, and refused.
            var attempt = new SftpAttempt(server, login?.Description ?? "none");
            using var client = SftpConnections.Create(server, login?.Methods ?? [new NoneAuthenticationMethod(server.User)], attempt, _options);
            try
            {
                await SftpConnections.ConnectAsync(client, _options, cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is SshException or SocketException or OperationCanceledException or IOException)
            {
                var reason = SftpFailures.Describe(e, attempt, _options).Message;
                if (!attempt.HostKeyMatched)
                {
                    checks.Fail(HostKey, reason);
                    return;
                }

                checks.Ok(HostKey);
                checks.Fail(Login, unreadableLogin ?? reason);
                return;
            }

            checks.Ok(HostKey);
            if (unreadableLogin is not null)
            {
                checks.Fail(Login, unreadableLogin);
                return;
            }

            checks.Ok(Login);
            await WriteProbeAsync(client, server, target.RemoteDirectory, checks, cancellationToken);
        }
    }

    private async Task WriteProbeAsync(SftpClient client, SftpServer server, string directory, DeliveryCheckList checks, CancellationToken cancellationToken)
    {
        var final = RemotePaths.Combine(directory, DeliveryProbes.ProbeFileName());
        var part = RemotePaths.PartName(final);
        try
        {
            using var content = new MemoryStream("delivery test"u8.ToArray());
            await client.UploadFileAsync(content, part, cancellationToken);
            await client.RenameFileAsync(part, final, cancellationToken);
            await client.DeleteFileAsync(final, cancellationToken);
            checks.Ok(DirectoryWritable);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is SshException or IOException or OperationCanceledException)
        {
            checks.Fail(DirectoryWritable, e switch
            {
                SftpPermissionDeniedException => $"SFTP server {server} denied permission to write a file in {directory}.",
                SftpPathNotFoundException => $"SFTP server {server} has no directory {directory}.",
                _ => $"SFTP server {server} failed writing a probe file in {directory}: {e.Message}",
            });
        }
        finally
        {
            await RemoveAsync(client, [part, final]);
        }
    }

    /// <summary>Removes what a failed step may have left; a file that is not there is what we want.</summary>
    private async Task RemoveAsync(SftpClient client, string[] paths)
    {
        if (!client.IsConnected)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(_options.IdleTimeout);
        foreach (var path in paths)
        {
            try
            {
                await client.DeleteFileAsync(path, timeout.Token);
            }
            catch (Exception e) when (e is SshException or OperationCanceledException)
            {
                logger.LogDebug("Probe file {Path} not removed: {Reason}", path, e.Message);
            }
        }
    }
}
