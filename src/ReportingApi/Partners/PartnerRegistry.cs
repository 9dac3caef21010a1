using System.Net;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Caching.Memory;
using ReportingApi.Data;
using ReportingApi.Problems;
using ReportingApi.Reports;

namespace ReportingApi.Partners;

/// <summary>A partner as the API sees it: who it is, from where it may call, and what it may ask for.</summary>
/// <param name="AllowedReports">Report ids the partner may use; empty means all.</param>
/// <param name="AllowedFormats">Formats the partner may use; empty means all.</param>
public sealed record Partner(
    int Id, string Name, string ClientId, bool Active, IReadOnlyList<IPNetwork> IpAllowlist, IReadOnlyList<string> AllowedReports, IReadOnlyList<string> AllowedFormats)
{
    /// <summary>Why the partner may not have this report in this format, or null when it may.</summary>
    public ProblemHttpResult? Disallows(string reportId, ReportFormat format)
    {
        if (!Allows(reportId))
        {
            return TypedResults.Problem(type: ProblemTypes.ReportNotAllowed, title: "Report not allowed",
                detail: $"Your agreement does not include the '{reportId}' report. Allowed: {string.Join(", ", AllowedReports)}.", statusCode: StatusCodes.Status403Forbidden);
        }

        var formatName = ReportFormats.Name(format);
        if (!Allows(format))
        {
            return TypedResults.Problem(type: ProblemTypes.ReportNotAllowed, title: "Format not allowed",
                detail: $"Your agreement does not include the '{formatName}' format. Allowed: {string.Join(", ", AllowedFormats)}.", statusCode: StatusCodes.Status403Forbidden);
        }

        return null;
    }

    public bool Allows(string reportId) => AllowedReports.Count == 0 || AllowedReports.Contains(reportId, StringComparer.OrdinalIgnoreCase);

    public bool Allows(ReportFormat format) => AllowedFormats.Count == 0 || AllowedFormats.Contains(ReportFormats.Name(format), StringComparer.OrdinalIgnoreCase);

    /// <summary>Splits a stored comma-separated list (allowed reports, formats).</summary>
    public static IReadOnlyList<string> SplitList(string? text) =>
        (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

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
