using Dapper;
using Microsoft.Extensions.Caching.Memory;
using ReportingApi.Data;

namespace ReportingApi.Partners;

/// <summary>Finds partners by their OAuth2 client id; cached briefly so that every request does not hit the database.</summary>
public sealed class PartnerRegistry(DbConnectionFactory connections, IMemoryCache cache, ILogger<PartnerRegistry> logger)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    /// <summary>Drops the cached partner, so that an administrator's change applies to the next request.</summary>
    public void Forget(string clientId) => cache.Remove(CacheKey(clientId));

    private static (string, string) CacheKey(string clientId) => ("partner", clientId);

    public async Task<Partner?> FindByClientIdAsync(string clientId, CancellationToken cancellationToken)
    {
        return await cache.GetOrCreateAsync(CacheKey(clientId), async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = CacheFor;
            await using var connection = await connections.OpenAsync(cancellationToken);
            var row = await connection.QuerySingleOrDefaultAsync<PartnerRow>(
                $"SELECT {PartnerRow.Columns} FROM partners WHERE client_id = @clientId",
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

            return new Partner(row.Id, row.Name, row.ClientId, row.Active != 0, allowlist, Partner.SplitList(row.AllowedReports), Partner.SplitList(row.AllowedFormats));
        });
    }
}
