using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using ReportingApi.Data;

namespace ReportingApi.Inbound;

/// <summary>
/// The <c>inbound_files</c> records: one per uploaded object version (a second notification of it finds the first
/// record), the status as processing moves it on, and a lease so that one processor at a time works on a file and a
/// crashed one's file is taken again once its lease expires.
/// </summary>
public sealed class InboundFileStore(DbConnectionFactory connections, TimeProvider clock)
{
    private const string Columns =
        "id AS Id, partner_id AS PartnerId, object_key AS ObjectKey, file_name AS FileName, status AS Status, rejection AS Rejection, " +
        "reason AS Reason, uploaded_bytes AS UploadedBytes, clear_bytes AS ClearBytes, clear_sha256 AS ClearSha256, " +
        "signer_key_id AS SignerKeyId, signer_fingerprint AS SignerFingerprint, archive_key AS ArchiveKey, stored_key AS StoredKey, " +
        "quarantine_key AS QuarantineKey, attempts AS Attempts, received_at AS ReceivedAt, verified_at AS VerifiedAt, " +
        "stored_at AS StoredAt, rejected_at AS RejectedAt, lease_until AS LeaseUntil, last_failure AS LastFailure";

    // The columns' widths (migrations 0008 and 0012).
    private const int MaxReasonLength = 2000;
    private const int MaxFailureLength = 1000;

    private readonly string _leaseOwner = Guid.NewGuid().ToString("N");

    /// <summary>The record of this object version: created as <c>received</c>, or the one a notification before made.</summary>
    public async Task<(InboundFile File, bool Created)> RecordAsync(int partnerId, string objectKey, string objectVersion, string fileName, CancellationToken cancellationToken)
    {
        var keyHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(objectKey)));
        await using var connection = await connections.OpenAsync(cancellationToken);
        if (await FindByObjectAsync(connection, keyHash, objectVersion) is { } existing)
        {
            return (existing, false);
        }

        var now = Now();
        var id = "if_" + Guid.NewGuid().ToString("N");
        try
        {
            await connection.ExecuteAsync(
                """
                INSERT INTO inbound_files (id, partner_id, object_key, object_key_sha256, object_version, file_name, status, attempts, received_at, updated_at)
                VALUES (@id, @partnerId, @objectKey, @keyHash, @objectVersion, @fileName, @status, 0, @now, @now)
                """,
                new { id, partnerId, objectKey, keyHash, objectVersion, fileName, status = InboundFileStatus.Received, now });
        }
        catch (DbException)
        {
            // The same object notified twice at once: the other insert won, and its record is the one.
            if (await FindByObjectAsync(connection, keyHash, objectVersion) is { } winner)
            {
                return (winner, false);
            }

            throw;
        }

        return ((await FindAsync(id, null, cancellationToken))!, true);
    }

    /// <summary>Takes the file for processing until <paramref name="duration"/> from now; false when another processor holds it or it is finished.</summary>
    public async Task<bool> TryLeaseAsync(string id, TimeSpan duration, CancellationToken cancellationToken)
    {
        var now = Now();
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(
            """
            UPDATE inbound_files SET lease_owner = @owner, lease_until = @until, attempts = attempts + 1, updated_at = @now
            WHERE id = @id AND status IN (@received, @verified) AND (lease_until IS NULL OR lease_until <= @now OR lease_owner = @owner)
            """,
            new { id, now, until = now + duration, owner = _leaseOwner, received = InboundFileStatus.Received, verified = InboundFileStatus.Verified }) == 1;
    }

    /// <summary>Gives the lease back after an attempt that finished.</summary>
    public Task ReleaseLeaseAsync(string id) => ReleaseLeaseAsync(id, null, failure: null);

    /// <summary>Gives the lease back after an attempt that failed: nobody may take the file for <paramref name="rest"/>.</summary>
    /// <param name="failure">Why, shown to operators: no secret may be in it.</param>
    public Task ReleaseLeaseAfterFailureAsync(string id, TimeSpan rest, string failure) => ReleaseLeaseAsync(id, Now() + rest, failure);

    private async Task ReleaseLeaseAsync(string id, DateTime? restUntil, string? failure)
    {
        await using var connection = await connections.OpenAsync(CancellationToken.None);
        await connection.ExecuteAsync(
            "UPDATE inbound_files SET lease_owner = NULL, lease_until = @restUntil, last_failure = COALESCE(@failure, last_failure) WHERE id = @id AND lease_owner = @owner",
            new { id, owner = _leaseOwner, restUntil, failure = AtMost(failure, MaxFailureLength) });
    }

    public Task SetArchivedAsync(string id, string archiveKey, CancellationToken cancellationToken) =>
        UpdateAsync("archive_key = @archiveKey", new { id, archiveKey }, cancellationToken);

    public Task MarkVerifiedAsync(string id, InboundVerification verification, CancellationToken cancellationToken) =>
        UpdateAsync(
            "status = @status, uploaded_bytes = @UploadedBytes, clear_bytes = @ClearBytes, clear_sha256 = @ClearSha256, " +
            "signer_key_id = @SignerKeyId, signer_fingerprint = @SignerFingerprint, verified_at = @now",
            new { id, status = InboundFileStatus.Verified, verification.UploadedBytes, verification.ClearBytes, verification.ClearSha256, verification.SignerKeyId, verification.SignerFingerprint },
            cancellationToken);

    public Task MarkStoredAsync(string id, string storedKey, CancellationToken cancellationToken) =>
        UpdateAsync("status = @status, stored_key = @storedKey, stored_at = @now", new { id, status = InboundFileStatus.Stored, storedKey }, cancellationToken);

    /// <param name="quarantineKey">Where the original was put; null only when there was no original left to keep.</param>
    public Task MarkRejectedAsync(string id, InboundRejection rejection, string reason, long? uploadedBytes, string? quarantineKey, CancellationToken cancellationToken) =>
        UpdateAsync(
            "status = @status, rejection = @rejection, reason = @reason, uploaded_bytes = COALESCE(@uploadedBytes, uploaded_bytes), quarantine_key = @quarantineKey, rejected_at = @now",
            new { id, status = InboundFileStatus.Rejected, rejection = rejection.ToString(), reason = AtMost(reason, MaxReasonLength), uploadedBytes, quarantineKey },
            cancellationToken);

    /// <summary>One file; with <paramref name="partnerId"/>, only when it is that partner's.</summary>
    public async Task<InboundFile?> FindAsync(string id, int? partnerId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(
            $"SELECT {Columns} FROM inbound_files WHERE id = @id AND (@partnerId IS NULL OR partner_id = @partnerId)", new { id, partnerId });
        return row?.ToFile();
    }

    /// <summary>The newest files first, at most <paramref name="limit"/>; with <paramref name="partnerId"/>, only that partner's.</summary>
    public async Task<IReadOnlyList<InboundFile>> ListAsync(int? partnerId, string? status, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(
            $"""
            SELECT {Columns} FROM inbound_files
            WHERE (@partnerId IS NULL OR partner_id = @partnerId) AND (@status IS NULL OR status = @status)
            ORDER BY received_at DESC, id DESC LIMIT @limit
            """,
            new { partnerId, status, limit });
        return [.. rows.Select(row => row.ToFile())];
    }

    /// <summary>
    /// Unfinished files no processor is working on, oldest first: the lease of one that died has run out, a failed
    /// attempt's rest is over, or nobody has leased the file for <paramref name="idleFor"/> (its processor died between
    /// recording and leasing it).
    /// </summary>
    public async Task<IReadOnlyList<InboundFile>> ListStaleAsync(TimeSpan idleFor, int limit, CancellationToken cancellationToken)
    {
        var now = Now();
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(
            $"""
            SELECT {Columns} FROM inbound_files
            WHERE status IN (@received, @verified)
              AND ((lease_until IS NOT NULL AND lease_until <= @now) OR (lease_until IS NULL AND updated_at <= @idleSince))
            ORDER BY received_at, id LIMIT @limit
            """,
            new { now, idleSince = now - idleFor, limit, received = InboundFileStatus.Received, verified = InboundFileStatus.Verified });
        return [.. rows.Select(row => row.ToFile())];
    }

    private async Task UpdateAsync(string assignments, object values, CancellationToken cancellationToken)
    {
        var parameters = new DynamicParameters(values);
        parameters.Add("now", Now());
        await using var connection = await connections.OpenAsync(cancellationToken);
        await connection.ExecuteAsync($"UPDATE inbound_files SET {assignments}, updated_at = @now WHERE id = @id", parameters);
    }

    private static async Task<InboundFile?> FindByObjectAsync(DbConnection connection, string keyHash, string objectVersion) =>
        (await connection.QuerySingleOrDefaultAsync<Row>(
            $"SELECT {Columns} FROM inbound_files WHERE object_key_sha256 = @keyHash AND object_version = @objectVersion", new { keyHash, objectVersion }))?.ToFile();

    private static string? AtMost(string? text, int length) => text?.Length > length ? text[..length] : text;

    // Whole seconds in UTC, as the runs store them: MySQL DATETIME keeps no fractions by default.
    private DateTime Now()
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
    }

    private sealed class Row
    {
        public string Id { get; set; } = "";
        public int PartnerId { get; set; }
        public string ObjectKey { get; set; } = "";
        public string FileName { get; set; } = "";
        public string Status { get; set; } = "";
        public string? Rejection { get; set; }
        public string? Reason { get; set; }
        public long? UploadedBytes { get; set; }
        public long? ClearBytes { get; set; }
        public string? ClearSha256 { get; set; }
        public string? SignerKeyId { get; set; }
        public string? SignerFingerprint { get; set; }
        public string? ArchiveKey { get; set; }
        public string? StoredKey { get; set; }
        public string? QuarantineKey { get; set; }
        public int Attempts { get; set; }
        public DateTime ReceivedAt { get; set; }
        public DateTime? VerifiedAt { get; set; }
        public DateTime? StoredAt { get; set; }
        public DateTime? RejectedAt { get; set; }

        public DateTime? LeaseUntil { get; set; }

        public string? LastFailure { get; set; }

        public InboundFile ToFile() => new(
            Id, PartnerId, ObjectKey, FileName, Status,
            Enum.TryParse<InboundRejection>(Rejection, out var rejection) ? rejection : null,
            Reason, UploadedBytes, ClearBytes, ClearSha256, SignerKeyId, SignerFingerprint, ArchiveKey, StoredKey, QuarantineKey, Attempts,
            Utc(ReceivedAt), Utc(VerifiedAt), Utc(StoredAt), Utc(RejectedAt), Utc(LeaseUntil), LastFailure);

        private static DateTimeOffset Utc(DateTime at) => new(DateTime.SpecifyKind(at, DateTimeKind.Utc));

        private static DateTimeOffset? Utc(DateTime? at) => at is { } value ? Utc(value) : null;
    }
}
