using System.Globalization;
using ReportingApi.Reports;

namespace ReportingApi.Runs;

/// <summary>A run list's query string, read and checked: the filter, where the page starts and how long it is.</summary>
/// <param name="Page">A numbered page (deprecated offset paging), or null for cursor paging.</param>
public sealed record RunListQuery(RunFilter Filter, RunCursor? After, int PageSize, int? Page)
{
    public const int DefaultPageSize = 20;

    private const int MaxSubscriptionIdLength = 40;

    // ISO 8601 dates and times; 'K' takes Z, an offset, or nothing (then UTC).
    private static readonly string[] TimeFormats = ["yyyy-MM-dd", "yyyy-MM-ddTHH:mmK", "yyyy-MM-ddTHH:mm:ssK", "yyyy-MM-ddTHH:mm:ss.FFFFFFFK"];

    /// <summary>Reads the parameters; <paramref name="errors"/> gets one entry per bad parameter, named as in the query.</summary>
    public static RunListQuery Parse(
        int? partnerId, string? status, string? report, string? subscriptionId, string? from, string? to, string? cursor, string? pageSize, string? page, int maxPageSize, Dictionary<string, string[]> errors)
    {
        RunStatus? statusFilter = null;
        if (status is not null)
        {
            if (RunStatuses.TryParse(status, out var parsed))
            {
                statusFilter = parsed;
            }
            else
            {
                errors["status"] = [$"'{status}' is not a run status. Use one of: {string.Join(", ", Enum.GetValues<RunStatus>().Select(RunStatuses.Name))}."];
            }
        }

        // Any report id a run may carry (the catalog's, and those of other run sources such as the drop folder's).
        if (report is not null && (report.Length is 0 or > 40 || !report.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            errors["report"] = [$"'report' must be a report id such as {ReportCatalog.Contracts.Id}."];
        }

        if (subscriptionId is { Length: 0 or > MaxSubscriptionIdLength })
        {
            errors["subscriptionId"] = [$"'subscriptionId' is a subscription id of at most {MaxSubscriptionIdLength} characters, such as 'sub_0193...'."];
        }

        var fromTime = ParseTime(from, "from", errors);
        var toTime = ParseTime(to, "to", errors);
        if (fromTime is not null && toTime is not null && toTime <= fromTime)
        {
            errors["to"] = ["'to' must be after 'from'."];
        }

        RunCursor? after = null;
        if (cursor is not null)
        {
            if (page is not null)
            {
                errors["cursor"] = ["Give 'cursor' or 'page', not both."];
            }
            else if (RunCursor.TryDecode(cursor, out var decoded))
            {
                after = decoded;
            }
            else
            {
                errors["cursor"] = ["'cursor' is not one this API gave out: pass a page's 'nextCursor' as it is."];
            }
        }

        var size = ParsePositive(pageSize, DefaultPageSize, maxPageSize, "pageSize", errors);
        int? pageNumber = page is null ? null : ParsePositive(page, 1, int.MaxValue / 1000, "page", errors);
        return new RunListQuery(new RunFilter(partnerId, statusFilter, report, subscriptionId, fromTime, toTime), after, size, pageNumber);
    }

    private static DateTime? ParseTime(string? text, string name, Dictionary<string, string[]> errors)
    {
        if (text is null)
        {
            return null;
        }

        if (DateTimeOffset.TryParseExact(text, TimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return time.UtcDateTime;
        }

        errors[name] = [$"'{name}' must be an ISO 8601 date or time, e.g. 2026-11-27 or 2026-11-27T00:00:00Z (UTC unless an offset is given)."];
        return null;
    }

    private static int ParsePositive(string? text, int fallback, int max, string name, Dictionary<string, string[]> errors)
    {
        if (text is null)
        {
            return fallback;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= 1 && value <= max)
        {
            return value;
        }

        errors[name] = [$"'{name}' must be a whole number from 1 to {max}."];
        return fallback;
    }
}
