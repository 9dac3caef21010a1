using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Primitives;
using ReportingApi.Reports;

namespace ReportingApi.Runs;

/// <summary>The body of <c>POST /v1/report-runs</c>.</summary>
/// <param name="Report">Report id from the catalog, e.g. <c>contracts</c>.</param>
/// <param name="Format">csv (default), xlsx or json.</param>
/// <param name="From">First day of the period (ISO date).</param>
/// <param name="To">Last day of the period (ISO date).</param>
/// <param name="Filters">Optional filters from the catalog, e.g. <c>{"status": "active"}</c>.</param>
/// <param name="Armored">ASCII-armored OpenPGP instead of binary (default false).</param>
public sealed record CreateReportRunRequest(string? Report, string? Format, string? From, string? To, Dictionary<string, string>? Filters, bool? Armored)
{
    /// <summary>Validates the body with the same rules as a direct download.</summary>
    public (ReportRequest? Request, Dictionary<string, string[]> Errors) Validate(int maxPeriodDays)
    {
        if (string.IsNullOrWhiteSpace(Report))
        {
            return (null, new Dictionary<string, string[]> { ["report"] = ["'report' is required: a report id from GET /v1/reports."] });
        }

        if (ReportCatalog.Find(Report) is not { } definition)
        {
            return (null, new Dictionary<string, string[]> { ["report"] = [$"There is no report '{Report}'. GET /v1/reports lists them."] });
        }

        var unknownFilters = (Filters ?? []).Keys.Where(name => definition.Filters.All(filter => filter.Name != name)).ToList();
        if (unknownFilters.Count > 0)
        {
            return (null, new Dictionary<string, string[]> { ["filters"] = [$"'{definition.Id}' has no filter {string.Join(", ", unknownFilters.Select(f => $"'{f}'"))}. It has: {string.Join(", ", definition.Filters.Select(f => f.Name))}."] });
        }

        var query = new Dictionary<string, StringValues>(StringComparer.OrdinalIgnoreCase);
        AddIfPresent(query, ReportRequest.FormatParameter, Format);
        AddIfPresent(query, ReportRequest.FromParameter, From);
        AddIfPresent(query, ReportRequest.ToParameter, To);
        foreach (var (name, value) in Filters ?? [])
        {
            query[name] = value;
        }

        return ReportRequest.Parse(definition, query, maxPeriodDays);
    }

    /// <summary>SHA-256 over the request in canonical form: the same request always hashes the same, whatever its JSON layout.</summary>
    public static string Hash(ReportRequest request, bool armored)
    {
        var canonical = string.Join('\n',
            request.Report.Id,
            ReportFormats.Name(request.Format),
            request.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            request.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            armored ? "armored" : "binary",
            string.Join('&', request.Filters.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => $"{pair.Key}={pair.Value}")));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    public static string FiltersJson(ReportRequest request) =>
        JsonSerializer.Serialize(request.Filters.OrderBy(pair => pair.Key, StringComparer.Ordinal).ToDictionary(pair => pair.Key, pair => pair.Value));

    private static void AddIfPresent(Dictionary<string, StringValues> query, string name, string? value)
    {
        if (value is not null)
        {
            query[name] = value;
        }
    }
}
