using Renci.SshNet;
using ReportingApi.Delivery.Connector;

namespace ReportingApi.Delivery.Sftp;

/// <summary>How deliveries and delivery tests connect to an SFTP server: only the pinned host key, bounded waits.</summary>
internal static class SftpConnections
{
    // Keeps NAT and firewall state alive while the object store is slow to hand over the next bytes.
    private static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(15);

    public static SftpClient Create(SftpServer server, IReadOnlyList<AuthenticationMethod> logins, SftpAttempt attempt, SftpDeliveryOptions options)
    {
        var connection = new Renci.SshNet.ConnectionInfo(server.Host, server.Port, server.User, [.. logins]) { Timeout = options.ConnectTimeout };

        // Offer only the pinned key's algorithms: a server with keys of several types then shows the pinned one.
        foreach (var algorithm in connection.HostKeyAlgorithms.Keys.Except(server.HostKey.Algorithms).ToList())
        {
            connection.HostKeyAlgorithms.Remove(algorithm);
        }

        var client = new SftpClient(connection) { OperationTimeout = options.IdleTimeout, KeepAliveInterval = KeepAliveInterval };
        client.HostKeyReceived += (_, e) =>
        {
            e.CanTrust = server.HostKey.Matches(e.HostKey);
            attempt.HostKeyPresented(e.HostKey, e.CanTrust);
        };
        return client;
    }

    public static async Task ConnectAsync(SftpClient client, SftpDeliveryOptions options, CancellationToken cancellationToken)
    {
        // SSH.NET bounds the handshake by ConnectionInfo.Timeout; this bounds reaching the server and its banner.
        using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connectTimeout.CancelAfter(options.ConnectTimeout);
        await client.ConnectAsync(connectTimeout.Token);

        // From now on ConnectionInfo.Timeout bounds waiting for the server to take more data (its window).
        client.ConnectionInfo.Timeout = options.IdleTimeout;
    }
}
