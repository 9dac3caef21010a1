using System.Net;
using Dapper;
using Microsoft.Extensions.Caching.Memory;
using ReportingApi.Data;

namespace ReportingApi.Partners;

/// <summary>A partner as the API sees it: who it is and from where it may call.</summary>
public sealed record Partner(int Id, string Name, string ClientId, bool Active, IReadOnlyList<IPNetwork> IpAllowlist)
{
    /// <summary>True when the partner has no allowlist, or <paramref name="address"/> is in one of its networks.</summary>
    public bool AllowsAddress(IPAddress? address)
    {
        if (IpAllowlist.Count == 0)
        {
            return true;
        }

        if (address is null)
        {
            return false;
        }

        var normalized = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return IpAllowlist.Any(network => network.Contains(normalized));
    }

    /// <summary>
    /// Parses a comma-separated CIDR list. An entry that does not parse matches nothing, so a damaged list
    /// denies rather than opens; a list whose every entry is damaged denies everyone.
    /// </summary>
    public static IReadOnlyList<IPNetwork> ParseAllowlist(string? text, out IReadOnlyList<string> invalid)
    {
        var networks = new List<IPNetwork>();
        var bad = new List<string>();
        foreach (var entry in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (IPNetwork.TryParse(entry, out var network))
            {
                networks.Add(network);
            }
            else
            {
                bad.Add(entry);
            }
        }

        invalid = bad;
        return networks.Count == 0 && bad.Count > 0 ? [new IPNetwork(IPAddress.None, 32)] : networks;
    }
}

/// <summary>Finds partners by their OAuth2 client id; cached briefly so that every request does not hit the database.</summary>
public sealed class PartnerRegistry(DbConnectionFactory connections, IMemoryCache cache, ILogger<PartnerRegistry> logger)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    public async Task<Partner?> FindByClientIdAsync(string clientId, CancellationToken cancellationToken)
    {
        return await cache.GetOrCreateAsync(("partner", clientId), async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = CacheFor;
            await using var connection = await connections.OpenAsync(cancellationToken);
            var row = await connection.QuerySingleOrDefaultAsync<PartnerRow>(
                "SELECT id AS Id, name AS Name, client_id AS ClientId, active AS Active, ip_allowlist AS IpAllowlist FROM partners WHERE client_id = @clientId",
                new { clientId });
            if (row is null)
            {
                return null;
            }

            var allowlist = Partner.ParseAllowlist(row.IpAllowlist, out var invalid);
            if (invalid.Count > 0)
            {
                logger.LogWarning("Partner {PartnerId} has invalid IP allowlist entries {Entries}; they match no address", row.Id, invalid);
            }

            return new Partner(row.Id, row.Name, row.ClientId, row.Active != 0, allowlist);
        });
    }

    // Settable properties, not a record: Dapper converts MySQL's INT and SQLite's INTEGER into them alike.
    private sealed class PartnerRow
    {
        public int Id { get; set; }

        public string Name { get; set; } = "";

        public string ClientId { get; set; } = "";

        public int Active { get; set; }

        public string? IpAllowlist { get; set; }
    }
}
