using System.Text.Json.Nodes;
using Dapper;
using ReportingApi.Data;

namespace ReportingApi.Audit;

/// <summary>Which entries to read: all filters optional; <see cref="BeforeId"/> is the keyset cursor (entries older than it).</summary>
public sealed record AuditQuery(int? PartnerId, DateTimeOffset? From, DateTimeOffset? To, long? BeforeId, int Limit);

/// <summary>An entry as read back, with the id that orders it.</summary>
public sealed record StoredAuditEntry(long Id, AuditEntry Entry);

/// <summary>
/// The append-only <c>audit_entries</c> table: this class inserts and reads, and there is deliberately no way to change
/// or remove an entry (an audit trail that the app could rewrite would prove nothing).
/// </summary>
public sealed class AuditStore(DbConnectionFactory connections)
{
    public async Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await using var connection = await connections.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            """
            INSERT INTO audit_entries (at, client_id, subject, source_ip, action, partner_id, target, changes)
            VALUES (@at, @clientId, @subject, @sourceIp, @action, @partnerId, @target, @changes)
            """,
            new
            {
                at = entry.At.UtcDateTime,
                clientId = entry.Actor.ClientId,
                subject = entry.Actor.Subject,
                sourceIp = entry.Actor.SourceIp,
                action = entry.Action,
                partnerId = entry.PartnerId,
                target = entry.Target,
                changes = entry.ChangesJson(),
            });
    }

    /// <summary>Newest first (by id), at most <see cref="AuditQuery.Limit"/> entries.</summary>
    public async Task<IReadOnlyList<StoredAuditEntry>> ListAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<AuditRow>(
            """
            SELECT id AS Id, at AS At, client_id AS ClientId, subject AS Subject, source_ip AS SourceIp, action AS Action,
                   partner_id AS PartnerId, target AS Target, changes AS Changes
            FROM audit_entries
            WHERE (@partnerId IS NULL OR partner_id = @partnerId)
              AND (@from IS NULL OR at >= @from)
              AND (@to IS NULL OR at < @to)
              AND (@beforeId IS NULL OR id < @beforeId)
            ORDER BY id DESC
            LIMIT @limit
            """,
            new { partnerId = query.PartnerId, from = query.From?.UtcDateTime, to = query.To?.UtcDateTime, beforeId = query.BeforeId, limit = query.Limit });
        return rows.Select(row => row.ToEntry()).ToList();
    }

    private sealed class AuditRow
    {
        public long Id { get; set; }

        public DateTime At { get; set; }

        public string ClientId { get; set; } = "";

        public string? Subject { get; set; }

        public string? SourceIp { get; set; }

        public string Action { get; set; } = "";

        public int? PartnerId { get; set; }

        public string? Target { get; set; }

        public string Changes { get; set; } = "[]";

        public StoredAuditEntry ToEntry()
        {
            var changes = (JsonNode.Parse(Changes) as JsonArray ?? [])
                .OfType<JsonObject>()
                .Select(change => new AuditChange((string?)change["path"] ?? "", change["before"]?.DeepClone(), change["after"]?.DeepClone()))
                .ToList();
            return new StoredAuditEntry(
                Id,
                new AuditEntry(new DateTimeOffset(DateTime.SpecifyKind(At, DateTimeKind.Utc)), new AuditActor(ClientId, Subject, SourceIp), Action, PartnerId, Target, changes));
        }
    }
}
