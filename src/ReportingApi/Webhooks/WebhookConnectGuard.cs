using System.Net;
using System.Net.Sockets;

namespace ReportingApi.Webhooks;

/// <summary>
/// The SSRF protection of webhook sends: the connection callback of their HTTP handler. It resolves the host itself,
/// drops every address <see cref="ForbiddenAddresses"/> refuses, and connects only to an address it has just checked,
/// so a name that resolved to a public address when it was configured and to 169.254.169.254 now (DNS rebinding) is
/// never reached. The handler follows no redirect and uses no proxy (a proxy would resolve the name itself).
/// </summary>
public sealed class WebhookConnectGuard(IHostAddressResolver resolver, WebhookTargetRules rules)
{
    /// <summary>A handler whose every connection goes through <see cref="ConnectAsync"/>.</summary>
    public SocketsHttpHandler CreateHandler(TimeSpan connectTimeout) => new()
    {
        ConnectCallback = ConnectAsync,
        ConnectTimeout = connectTimeout,
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        // Pooled connections were checked when they were opened; a fresh one is checked again.
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    };

    /// <exception cref="WebhookTargetForbiddenException">Every address of the host is forbidden.</exception>
    /// <exception cref="SocketException">The host does not resolve, or no allowed address accepted the connection.</exception>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var host = context.DnsEndPoint.Host;
        var addresses = await WebhookUrlPolicy.ResolveAsync(resolver, host, cancellationToken);
        var allowed = AllowedAddresses(addresses, rules);
        if (allowed.Count == 0)
        {
            var reasons = addresses.Select(address => $"{address} is {ForbiddenAddresses.Reason(address, rules)}");
            throw new WebhookTargetForbiddenException(
                $"{host} resolves to no address a webhook may reach: {(addresses.Length == 0 ? "no addresses" : string.Join("; ", reasons))}.");
        }

        SocketException? lastFailure = null;
        foreach (var address in allowed)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                lastFailure = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw lastFailure!;
    }

    /// <summary>The addresses a webhook may connect to, in the resolver's order; IPv4-mapped ones as plain IPv4.</summary>
    public static IReadOnlyList<IPAddress> AllowedAddresses(IEnumerable<IPAddress> addresses, WebhookTargetRules rules) =>
        addresses
            .Where(address => ForbiddenAddresses.Reason(address, rules) is null)
            .Select(address => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address)
            .Distinct()
            .ToList();
}

/// <summary>The webhook's host resolves only to addresses it may not reach; nothing was sent.</summary>
public sealed class WebhookTargetForbiddenException(string message) : Exception(message);
