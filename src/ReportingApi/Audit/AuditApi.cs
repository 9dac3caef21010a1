using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using ReportingApi.Partners;
using ReportingApi.Problems;
using ReportingApi.Security;

namespace ReportingApi.Audit;

/// <summary>
/// The audit trail of admin changes: operators read every entry (<c>GET /v1/admin/audit</c>), a partner the entries
/// about its own account (<c>GET /v1/audit</c>). Newest first, keyset-paged: <c>nextCursor</c> of one page is the
/// <c>cursor</c> of the next, so entries added meanwhile never shift a page.
/// </summary>
public static class AuditApi
{
    private const string QueryDescription =
        "Newest first. `from` and `to` are ISO 8601 times (UTC unless they carry an offset; `to` excluded); `limit` 1–200 (50). " +
        "Pass a page's `nextCursor` as `cursor` for the next page; there is none after the last. Secrets and key material appear only as " +
        "fingerprints (`sha256:...`) or `[redacted]`; secret references (the names of secrets) as they are.";

    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        app.MapSecuredGroup("/v1/admin/audit", "Audit", Scopes.Admin)
            .MapGet("/", ListEntries)
            .WithName("ListAuditEntries")
            .WithSummary("Every change made through the admin API: who, when, from where, what changed")
            .WithDescription(QueryDescription + " `partnerId` limits the list to one partner's entries.")
            .ProducesValidationProblem();

        app.MapSecuredGroup("/v1/audit", "Audit", Scopes.Deliver)
            .RequirePartner()
            .MapGet("/", ListOwnEntries)
            .WithName("ListOwnAuditEntries")
            .WithSummary("The changes our operators made to your account (key, delivery target, webhook, ...)")
            .WithDescription(QueryDescription)
            .ProducesValidationProblem();
        return app;
    }

    internal static async Task<Results<Ok<AuditPage>, ValidationProblem>> ListEntries(
        AuditStore store, CancellationToken cancellationToken, int? partnerId = null, string? from = null, string? to = null, string? cursor = null, string? limit = null)
    {
        var (query, errors) = Parse(partnerId, from, to, cursor, limit);
        return query is null ? ProblemResults.InvalidParameters(errors) : TypedResults.Ok(await ReadAsync(store, query, cancellationToken));
    }

    internal static async Task<Results<Ok<AuditPage>, ValidationProblem>> ListOwnEntries(
        HttpContext context, AuditStore store, CancellationToken cancellationToken, string? from = null, string? to = null, string? cursor = null, string? limit = null)
    {
        var (query, errors) = Parse(context.Partner().Id, from, to, cursor, limit);
        return query is null ? ProblemResults.InvalidParameters(errors) : TypedResults.Ok(await ReadAsync(store, query, cancellationToken));
    }

    private static async Task<AuditPage> ReadAsync(AuditStore store, AuditQuery query, CancellationToken cancellationToken)
    {
        // One more than asked tells whether there is a next page.
        var entries = await store.ListAsync(query with { Limit = query.Limit + 1 }, cancellationToken);
        var page = entries.Take(query.Limit).Select(AuditEntryResponse.From).ToList();
        var next = entries.Count > query.Limit ? entries[query.Limit - 1].Id.ToString(CultureInfo.InvariantCulture) : null;
        return new AuditPage(page, next);
    }

    private static (AuditQuery? Query, Dictionary<string, string[]> Errors) Parse(int? partnerId, string? from, string? to, string? cursor, string? limit)
    {
        var errors = new Dictionary<string, string[]>();
        var fromTime = ParseTime(from, "from", errors);
        var toTime = ParseTime(to, "to", errors);
        if (fromTime is not null && toTime is not null && toTime <= fromTime)
        {
            errors["to"] = ["'to' must be after 'from'."];
        }

        long? beforeId = null;
        if (cursor is not null)
        {
            if (long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0)
            {
                beforeId = id;
            }
            else
            {
                errors["cursor"] = ["'cursor' is the nextCursor of a previous page."];
            }
        }

        var take = PageLimit.Parse(limit, errors);
        return errors.Count > 0 ? (null, errors) : (new AuditQuery(partnerId, fromTime, toTime, beforeId, take), errors);
    }

    private static DateTimeOffset? ParseTime(string? value, string name, Dictionary<string, string[]> errors)
    {
        if (value is null)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return time;
        }

        errors[name] = [$"'{name}' must be an ISO 8601 time, e.g. 2026-11-27T02:00:00Z."];
        return null;
    }
}

/// <summary>A page of audit entries, newest first; <see cref="NextCursor"/> is null on the last page.</summary>
public sealed record AuditPage(IReadOnlyList<AuditEntryResponse> Items, string? NextCursor);

/// <summary>One change: who made it (OAuth2 client and the token's subject, the caller's address), what, to which partner, and the values before → after.</summary>
/// <param name="Action">What was done, e.g. partner.created, partner.delivery.set, partner.webhook.secret-rotated.</param>
/// <param name="Target">Within the partner, what was changed (a run or subscription id), when not the partner itself.</param>
public sealed record AuditEntryResponse(string Id, DateTimeOffset At, AuditActorResponse Actor, string Action, int? PartnerId, string? Target, IReadOnlyList<AuditChangeResponse> Changes)
{
    public static AuditEntryResponse From(StoredAuditEntry stored)
    {
        var entry = stored.Entry;
        return new(
            stored.Id.ToString(CultureInfo.InvariantCulture),
            entry.At,
            new AuditActorResponse(entry.Actor.ClientId, entry.Actor.Subject, entry.Actor.SourceIp),
            entry.Action,
            entry.PartnerId,
            entry.Target,
            [.. entry.Changes.Select(change => new AuditChangeResponse(change.Path, change.Before, change.After))]);
    }
}

public sealed record AuditActorResponse(string ClientId, string? Subject, string? SourceIp);

/// <summary>A changed value by its dotted path (e.g. delivery.host); before or after is null when the value was absent.</summary>
public sealed record AuditChangeResponse(string Path, JsonNode? Before, JsonNode? After);
