using System.Net;
using System.Net.Sockets;

namespace ReportingApi.Webhooks;

/// <summary>
/// Which IP addresses a webhook may not connect to, and why. IPv4: every special-purpose range of the IANA registry
/// that is not globally reachable. IPv6: only global unicast (2000::/3) is allowed, less its special-purpose ranges;
/// addresses that embed an IPv4 address (IPv4-mapped ::ffff:0:0/96) are judged by that address.
/// </summary>
public static class ForbiddenAddresses
{
    private static readonly (IPNetwork Network, string Reason)[] Ipv4 =
    [
        (IPNetwork.Parse("0.0.0.0/8"), "unspecified or 'this network' (0.0.0.0/8)"),
        (IPNetwork.Parse("10.0.0.0/8"), "private (RFC 1918, 10.0.0.0/8)"),
        (IPNetwork.Parse("100.64.0.0/10"), "shared carrier-grade NAT (100.64.0.0/10)"),
        (IPNetwork.Parse("127.0.0.0/8"), LoopbackReason),
        (IPNetwork.Parse("169.254.0.0/16"), "link-local, incl. the instance metadata service (169.254.0.0/16)"),
        (IPNetwork.Parse("172.16.0.0/12"), "private (RFC 1918, 172.16.0.0/12)"),
        (IPNetwork.Parse("192.0.0.0/24"), "IETF protocol assignments (192.0.0.0/24)"),
        (IPNetwork.Parse("192.0.2.0/24"), "documentation (192.0.2.0/24)"),
        (IPNetwork.Parse("192.88.99.0/24"), "6to4 relay anycast (192.88.99.0/24)"),
        (IPNetwork.Parse("192.168.0.0/16"), "private (RFC 1918, 192.168.0.0/16)"),
        (IPNetwork.Parse("198.18.0.0/15"), "benchmarking (198.18.0.0/15)"),
        (IPNetwork.Parse("198.51.100.0/24"), "documentation (198.51.100.0/24)"),
        (IPNetwork.Parse("203.0.113.0/24"), "documentation (203.0.113.0/24)"),
        (IPNetwork.Parse("224.0.0.0/4"), "multicast (224.0.0.0/4)"),
        (IPNetwork.Parse("240.0.0.0/4"), "reserved or broadcast (240.0.0.0/4)"),
    ];

    private static readonly IPNetwork GlobalUnicast = IPNetwork.Parse("2000::/3");

    private static readonly (IPNetwork Network, string Reason)[] Ipv6 =
    [
        (IPNetwork.Parse("::1/128"), LoopbackReason),
        (IPNetwork.Parse("::/128"), "unspecified (::)"),
        (IPNetwork.Parse("64:ff9b::/96"), "NAT64 (64:ff9b::/96)"),
        (IPNetwork.Parse("64:ff9b:1::/48"), "local-use NAT64 (64:ff9b:1::/48)"),
        (IPNetwork.Parse("fc00::/7"), "unique local (fc00::/7)"),
        (IPNetwork.Parse("fe80::/10"), "link-local (fe80::/10)"),
        (IPNetwork.Parse("fec0::/10"), "site-local (fec0::/10)"),
        (IPNetwork.Parse("ff00::/8"), "multicast (ff00::/8)"),
        (IPNetwork.Parse("2001::/23"), "IETF protocol assignments, incl. Teredo (2001::/23)"),
        (IPNetwork.Parse("2001:db8::/32"), "documentation (2001:db8::/32)"),
        (IPNetwork.Parse("2002::/16"), "6to4 (2002::/16)"),
        (IPNetwork.Parse("3fff::/20"), "documentation (3fff::/20)"),
    ];

    private const string LoopbackReason = "loopback";

    /// <summary>Why a webhook may not connect to <paramref name="address"/> under <paramref name="rules"/>, or null when it may.</summary>
    public static string? Reason(IPAddress address, WebhookTargetRules rules)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(rules);
        if (address.IsIPv4MappedToIPv6)
        {
            return Reason(address.MapToIPv4(), rules) is { } reason ? $"IPv4-mapped {reason}" : null;
        }

        var reasonFound = address.AddressFamily switch
        {
            AddressFamily.InterNetwork => Ipv4.FirstOrDefault(range => range.Network.Contains(address)).Reason,
            AddressFamily.InterNetworkV6 => Ipv6.FirstOrDefault(range => range.Network.Contains(address)).Reason
                ?? (GlobalUnicast.Contains(address) ? null : "not global unicast (outside 2000::/3)"),
            _ => $"not an IP address ({address.AddressFamily})",
        };
        return reasonFound == LoopbackReason && rules.AllowLoopback ? null : reasonFound;
    }
}
