using System.Data.Common;
using System.Globalization;
using Dapper;
using ReportingApi.Data;

namespace ReportingApi.Runs;

/// <summary>
/// Reads and writes report runs and their step events. Every state change is also an event: the audit trail. The
/// handover columns keep the names they got when only the Transfer connector handed deliveries over
/// (<c>connector_transfer_id</c>, <c>connector_move_id</c>, <c>connector_state</c>), so stored runs read as before.
/// </summary>
public sealed class RunStore(DbConnectionFactory connections, TimeProvider clock)
{
    /// <summary>This process's name on the leases it takes: it may take its own back (after the database was down), nobody else's.</summary>
    private readonly string _leaseOwner = Guid.NewGuid().ToString("N");

    private const string Columns =
        "id AS Id, partner_id AS PartnerId, client_id AS ClientId, source_ip AS SourceIp, idempotency_key AS IdempotencyKey, " +
        "request_hash AS RequestHash, report AS Report, format AS Format, period_from AS PeriodFrom, period_to AS PeriodTo, " +
        "filters AS Filters, armored AS Armored, status AS Status, attempts AS Attempts, next_attempt_at AS NextAttemptAt, " +
        "failure_reason AS FailureReason, row_count AS RowCount, byte_count AS ByteCount, sha256 AS Sha256, object_key AS ObjectKey, " +
        "file_name AS FileName, created_at AS CreatedAt, updated_at AS UpdatedAt, rendering_at AS RenderingAt, stored_at AS StoredAt, " +
        "sending_at AS SendingAt, delivered_at AS DeliveredAt, failed_at AS FailedAt, source_object_key AS SourceObjectKey, " +
        "connector_transfer_id AS HandoverKey, connector_move_id AS HandoverStepKey, connector_state AS HandoverState";

    /// <summary>Inserts the run, or returns the partner's existing run with the same idempotency key (created is then false).</summary>
    public async Task<(ReportRun Run, bool Created)> CreateAsync(ReportRun run, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        if (run.IdempotencyKey is not null && await FindByKeyAsync(connection, run.PartnerId, run.IdempotencyKey) is { } existing)
        {
            return (existing, false);
        }

        var now = Now();
        run.CreatedAt = now;
        run.UpdatedAt = now;
        try
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await connection.ExecuteAsync(
                """
                INSERT INTO report_runs (id, partner_id, client_id, source_ip, idempotency_key, request_hash, report, format, period_from, period_to,
                  filters, armored, status, attempts, created_at, updated_at, source_object_key)
                VALUES (@Id, @PartnerId, @ClientId, @SourceIp, @IdempotencyKey, @RequestHash, @Report, @Format, @From, @To,
                  @Filters, @Armored, @Status, 0, @CreatedAt, @UpdatedAt, @SourceObjectKey)
                """,
                new
                {
                    run.Id, run.PartnerId, run.ClientId, run.SourceIp, run.IdempotencyKey, run.RequestHash, run.Report, run.Format,
                    From = DateOnlyText(run.PeriodFrom), To = DateOnlyText(run.PeriodTo), run.Filters, Armored = run.Armored ? 1 : 0, run.Status,
                    run.CreatedAt, run.UpdatedAt, run.SourceObjectKey,
                },
                transaction);
            await InsertEventAsync(connection, transaction, run.Id, run.Status, $"requested by {run.ClientId} from {run.SourceIp ?? "unknown address"}", now);
            await transaction.CommitAsync(cancellationToken);
            return (run, true);
        }
        catch (DbException) when (run.IdempotencyKey is not null)
        {
            // Another request with the same key won the race: the unique index kept a second run out.
            var winner = await FindByKeyAsync(connection, run.PartnerId, run.IdempotencyKey);
            if (winner is null)
            {
                throw;
            }

            return (winner, false);
        }
    }

    public async Task<ReportRun?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ReportRun>($"SELECT {Columns} FROM report_runs WHERE id = @id", new { id });
    }

    public async Task<ReportRun?> GetForPartnerAsync(int partnerId, string id, CancellationToken cancellationToken)
    {
        var run = await GetAsync(id, cancellationToken);
        return run?.PartnerId == partnerId ? run : null;
    }

    public async Task<IReadOnlyList<ReportRunEvent>> EventsAsync(string runId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<ReportRunEvent>(
            "SELECT run_id AS RunId, status AS Status, detail AS Detail, at AS At FROM report_run_events WHERE run_id = @runId ORDER BY seq",
            new { runId })).ToList();
    }

    /// <summary>The partner's runs, newest first; <paramref name="pageSize"/> + 1 are read to tell whether a next page exists.</summary>
    public async Task<IReadOnlyList<ReportRun>> ListAsync(int partnerId, RunStatus? status, int page, int pageSize, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<ReportRun>(
            $"""
            SELECT {Columns} FROM report_runs
            WHERE partner_id = @partnerId AND (@status IS NULL OR status = @status)
            ORDER BY created_at DESC, id DESC
            LIMIT @take OFFSET @skip
            """,
            new { partnerId, status = status is { } s ? RunStatuses.Name(s) : null, take = pageSize + 1, skip = (page - 1) * pageSize })).ToList();
    }

    /// <summary>Runs that are not finished (a crash or restart interrupted them), and retries that are due.</summary>
    public async Task<IReadOnlyList<string>> UnfinishedAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<string>(
            """
            SELECT id FROM report_runs
            WHERE status NOT IN ('delivered', 'failed') AND (next_attempt_at IS NULL OR next_attempt_at <= @now) AND (lease_until IS NULL OR lease_until <= @now OR lease_owner = @owner)
            ORDER BY created_at
            """,
            new { now = Now(), owner = _leaseOwner })).ToList();
    }

    /// <summary>Takes the run for <paramref name="duration"/> unless another executor holds it; false when one does.</summary>
    public async Task<bool> TryLeaseAsync(string runId, TimeSpan duration, CancellationToken cancellationToken)
    {
        var now = Now();
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(
            """
            UPDATE report_runs SET lease_owner = @owner, lease_until = @until
            WHERE id = @runId AND (lease_until IS NULL OR lease_until <= @now OR lease_owner = @owner)
            """,
            new { runId, now, until = now + duration, owner = _leaseOwner }) == 1;
    }

    /// <summary>Extends this process's lease on the run; false when it no longer holds it.</summary>
    public async Task<bool> RenewLeaseAsync(string runId, TimeSpan duration, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(
            "UPDATE report_runs SET lease_until = @until WHERE id = @runId AND lease_owner = @owner",
            new { runId, until = Now() + duration, owner = _leaseOwner }) == 1;
    }

    public async Task ReleaseLeaseAsync(string runId)
    {
        await using var connection = await connections.OpenAsync();
        await connection.ExecuteAsync(
            "UPDATE report_runs SET lease_owner = NULL, lease_until = NULL WHERE id = @runId AND lease_owner = @owner", new { runId, owner = _leaseOwner });
    }

    /// <summary>Moves a run to <paramref name="status"/>, stamps that step's time, and records the event.</summary>
    public async Task TransitionAsync(ReportRun run, RunStatus status, string? detail = null, CancellationToken cancellationToken = default)
    {
        var now = Now();
        run.Status = RunStatuses.Name(status);
        run.UpdatedAt = now;
        switch (status)
        {
            case RunStatus.Rendering:
                run.RenderingAt = now;
                run.NextAttemptAt = null;
                break;
            case RunStatus.Stored:
                run.StoredAt = now;
                break;
            case RunStatus.Sending:
                run.SendingAt = now;
                run.NextAttemptAt = null;
                break;
            case RunStatus.Delivered:
                run.DeliveredAt = now;
                run.NextAttemptAt = null;
                break;
            case RunStatus.Failed:
                run.FailedAt = now;
                run.NextAttemptAt = null;
                run.FailureReason = detail;
                break;
        }

        await SaveAsync(run, RunStatuses.Name(status), detail, cancellationToken);
    }

    /// <summary>
    /// Starts a finished run over for another delivery: attempts, reason and end times reset, back to <c>stored</c> (the
    /// stored file is sent again) or, when it was never stored, to <c>queued</c>. Records the <c>redeliver</c> step.
    /// </summary>
    public Task RedeliverAsync(ReportRun run, string detail, CancellationToken cancellationToken)
    {
        run.Attempts = 0;
        run.FailureReason = null;
        run.DeliveredAt = null;
        run.FailedAt = null;
        run.Status = RunStatuses.Name(run.StoredAt is null ? RunStatus.Queued : RunStatus.Stored);
        return SaveAsync(run, "redeliver", detail, cancellationToken);
    }

    /// <summary>Saves the run's fields (counts, keys, attempts, next attempt) and records <paramref name="eventStatus"/>.</summary>
    public async Task SaveAsync(ReportRun run, string eventStatus, string? detail, CancellationToken cancellationToken = default)
    {
        run.UpdatedAt = Now();
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(
            """
            UPDATE report_runs SET status = @Status, attempts = @Attempts, next_attempt_at = @NextAttemptAt, failure_reason = @FailureReason,
              row_count = @RowCount, byte_count = @ByteCount, sha256 = @Sha256, object_key = @ObjectKey, file_name = @FileName, updated_at = @UpdatedAt,
              rendering_at = @RenderingAt, stored_at = @StoredAt, sending_at = @SendingAt, delivered_at = @DeliveredAt, failed_at = @FailedAt,
              connector_transfer_id = @HandoverKey, connector_move_id = @HandoverStepKey, connector_state = @HandoverState
            WHERE id = @Id
            """,
            run,
            transaction);
        await InsertEventAsync(connection, transaction, run.Id, eventStatus, detail, run.UpdatedAt);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The run whose handed-over delivery awaits an event with this key (its work's or its step's), if any.</summary>
    public async Task<ReportRun?> FindByHandoverKeyAsync(string key, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await connection.QueryFirstOrDefaultAsync<ReportRun>(
            $"SELECT {Columns} FROM report_runs WHERE connector_transfer_id = @key OR connector_move_id = @key", new { key });
    }

    /// <summary>
    /// Saves the run's handover fields and next attempt only if its saved handover state is still
    /// <paramref name="expectedState"/>: a delivery's event and a resume may race for the same step, and only one may take
    /// it. Records <paramref name="eventStatus"/> when given. Returns false when another took the step first.
    /// </summary>
    public async Task<bool> TryUpdateHandoverAsync(ReportRun run, string? expectedState, string? eventStatus, string? detail, CancellationToken cancellationToken)
    {
        run.UpdatedAt = Now();
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var updated = await connection.ExecuteAsync(
            """
            UPDATE report_runs SET connector_transfer_id = @HandoverKey, connector_move_id = @HandoverStepKey, connector_state = @HandoverState,
              next_attempt_at = @NextAttemptAt, updated_at = @UpdatedAt
            WHERE id = @Id AND (connector_state = @expectedState OR (connector_state IS NULL AND @expectedState IS NULL))
            """,
            new { run.HandoverKey, run.HandoverStepKey, run.HandoverState, run.NextAttemptAt, run.UpdatedAt, run.Id, expectedState },
            transaction);
        if (updated == 1 && eventStatus is not null)
        {
            await InsertEventAsync(connection, transaction, run.Id, eventStatus, detail, run.UpdatedAt);
        }

        await transaction.CommitAsync(cancellationToken);
        return updated == 1;
    }

    private static async Task<ReportRun?> FindByKeyAsync(DbConnection connection, int partnerId, string key) =>
        await connection.QuerySingleOrDefaultAsync<ReportRun>(
            $"SELECT {Columns} FROM report_runs WHERE partner_id = @partnerId AND idempotency_key = @key", new { partnerId, key });

    // Numbered per run: timestamps have whole seconds, so only the number keeps steps of the same second in order.
    private static Task<int> InsertEventAsync(DbConnection connection, DbTransaction transaction, string runId, string status, string? detail, DateTime at) =>
        connection.ExecuteAsync(
            """
            INSERT INTO report_run_events (run_id, seq, status, detail, at)
            SELECT @runId, COALESCE(MAX(seq), 0) + 1, @status, @detail, @at FROM report_run_events WHERE run_id = @runId
            """,
            new { runId, status, detail = Truncate(detail), at },
            transaction);

    // Whole seconds in UTC: MySQL DATETIME keeps no fractions by default, and both engines then sort alike.
    private DateTime Now()
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
    }

    private static string DateOnlyText(DateTime date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string? Truncate(string? text) => text is { Length: > 2000 } ? text[..2000] : text;
}
