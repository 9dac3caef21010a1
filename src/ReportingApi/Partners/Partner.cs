using System.Net;

namespace ReportingApi.Partners;

/// <summary>A partner as the API sees it: who it is, from where it may call, and what it may ask for.</summary>
/// <param name="AllowedReports">Report ids the partner may use; empty means all.</param>
/// <param name="AllowedFormats">Formats the partner may use; empty means all.</param>
public sealed record Partner(
    int Id, string Name, string ClientId, bool Active, IReadOnlyList<IPNetwork> IpAllowlist, IReadOnlyList<string> AllowedReports, IReadOnlyList<string> AllowedFormats)
{
    /// <summary>Why the partner may not have this report in this format (the format by its name), or null when it may.</summary>
    public PartnerRefusal? Disallows(string reportId, string formatName)
    {
        if (!AllowsReport(reportId))
        {
            return new PartnerRefusal(
                PartnerRefusalReason.ReportNotAllowed, $"Your agreement does not include the '{reportId}' report. Allowed: {string.Join(", ", AllowedReports)}.");
        }

        return AllowsFormat(formatName)
            ? null
            : new PartnerRefusal(
                PartnerRefusalReason.FormatNotAllowed, $"Your agreement does not include the '{formatName}' format. Allowed: {string.Join(", ", AllowedFormats)}.");
    }

    public bool AllowsReport(string reportId) => AllowedReports.Count == 0 || AllowedReports.Contains(reportId, StringComparer.OrdinalIgnoreCase);

    /// <summary>True when the partner may use the format of this name (<c>csv</c>, <c>xlsx</c>, ...).</summary>
    public bool AllowsFormat(string formatName) => AllowedFormats.Count == 0 || AllowedFormats.Contains(formatName, StringComparer.OrdinalIgnoreCase);

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
