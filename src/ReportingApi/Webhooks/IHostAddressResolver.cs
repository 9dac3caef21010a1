using System.Net;

namespace ReportingApi.Webhooks;

/// <summary>Resolves a host name to its addresses. An interface so that tests can play a DNS server that changes its answer (rebinding).</summary>
public interface IHostAddressResolver
{
    /// <exception cref="System.Net.Sockets.SocketException">The name does not resolve.</exception>
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}

/// <summary>The system's resolver (DNS, hosts file).</summary>
public sealed class SystemHostAddressResolver : IHostAddressResolver
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) => Dns.GetHostAddressesAsync(host, cancellationToken);
}
