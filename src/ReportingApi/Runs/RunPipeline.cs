using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using ReportingApi.Partners;
using ReportingApi.Data;
using ReportingApi.Observability;
using ReportingApi.Outbox;
using ReportingApi.Pgp;
using ReportingApi.Rendering;
using ReportingApi.Reports;
using ReportingApi.Storage;
using ReportingApi.Transfer;

namespace ReportingApi.Runs;

/// <summary>
/// Takes one run as far as it can go: render the report (streamed) through PGP encryption into a temporary
/// file, store it and its .sha256 file in the partner's folder of the object store, then deliver both atomically.
/// Every step is recorded. A failed step is retried with exponential backoff until the attempts run out; then
/// the run is failed with the reason. A stored file is never rendered again, so a redelivery sends the same bytes.
/// </summary>
public sealed partial class RunPipeline(
    RunStore store,
    ReportReader reader,
    ReportRenderers renderers,
    PartnerStore settings,
    PgpKeyValidator keys,
    PgpEncryptor encryptor,
    IObjectStore objects,
    FileDeliveries deliveries,
    AwsConnectorDelivery connector,
    IOptions<ConnectorDeliveryOptions> connectorOptions,
    IRunMetrics metrics,
    IOptions<RunsOptions> options,
    TimeProvider clock,
    ILogger<RunPipeline> logger)
{
    private const string EncryptedContentType = "application/pgp-encrypted";
    private const int PipeBufferBytes = 4 * 1024 * 1024;

    /// <summary>Executes the run if it is due and no other executor holds it; a run another one executes is left alone.</summary>
    public async Task ExecuteAsync(string runId, CancellationToken cancellationToken)
    {
        var lease = TimeSpan.FromSeconds(options.Value.LeaseSeconds);
        if (!IsDue(await store.GetAsync(runId, cancellationToken)) || !await store.TryLeaseAsync(runId, lease, cancellationToken))
        {
            return;
        }

        using var stopRenewing = new CancellationTokenSource();
        var renewing = RenewLeaseAsync(runId, lease, stopRenewing.Token);
        try
        {
            // Read again under the lease: whoever held it before may have moved the run on.
            if (await store.GetAsync(runId, cancellationToken) is { } run && IsDue(run))
            {
                await ExecuteLeasedAsync(run, cancellationToken);
            }
        }
        finally
        {
            await stopRenewing.CancelAsync();
            await renewing;
            await ReleaseLeaseAsync(runId);
        }
    }

    /// <summary>Keeps the lease alive while the run executes, however long rendering or sending takes.</summary>
    private async Task RenewLeaseAsync(string runId, TimeSpan lease, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(lease / 3, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                try
                {
                    await store.RenewLeaseAsync(runId, lease, stop);
                }
                catch (Exception e) when (DatabaseFailures.IsUnavailable(e))
                {
                    logger.LogWarning(e, "Run {RunId}: could not renew its lease", runId);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run is done.
        }
    }

    private bool IsDue([NotNullWhen(true)] ReportRun? run) =>
        run is not null && !RunStatuses.IsFinished(run.State) && !(run.NextAttemptAt > clock.GetUtcNow().UtcDateTime);

    private async Task ReleaseLeaseAsync(string runId)
    {
        try
        {
            await store.ReleaseLeaseAsync(runId);
        }
        catch (Exception e) when (DatabaseFailures.IsUnavailable(e))
        {
            // The database is down: the lease expires by itself.
            logger.LogWarning(e, "Run {RunId}: could not give back its lease", runId);
        }
    }

    private async Task ExecuteLeasedAsync(ReportRun run, CancellationToken cancellationToken)
    {
        try
        {
            var profile = await settings.GetAsync(run.PartnerId, cancellationToken);
            if (profile.PgpPublicKey is null || profile.Target is null)
            {
                throw new RunStepException("The partner has no PGP key or delivery target configured.", transient: false);
            }

            if (run.ConnectorState is not null)
            {
                // Handed over to the connector: its event never came in time, so ask for the transfer's results instead.
                await PollConnectorAsync(run, cancellationToken);
                return;
            }

            if (run.StoredAt is null || run.ObjectKey is null)
            {
                await ProduceFileAsync(run, profile, cancellationToken);
            }

            await DeliverAsync(run, profile, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await RecordFailureAsync(run.Id, exception);
        }
    }

    /// <summary>The file a run delivers: a rendered report, or a file dropped in the partner's S3 outbox.</summary>
    private Task ProduceFileAsync(ReportRun run, PartnerProfile profile, CancellationToken cancellationToken) =>
        run.SourceObjectKey is null
            ? RenderAndStoreAsync(run, profile.PgpPublicKey!, cancellationToken)
            : ForwardOutboxFileAsync(run, profile, cancellationToken);

    private async Task RenderAndStoreAsync(ReportRun run, string armoredPublicKey, CancellationToken cancellationToken)
    {
        var recipient = UsableKey(armoredPublicKey);
        await store.TransitionAsync(run, RunStatus.Rendering, $"attempt {run.Attempts + 1}", cancellationToken);
        var request = ToReportRequest(run);
        var plainName = $"{request.Report.Id}_{request.From:yyyy-MM-dd}_{request.To:yyyy-MM-dd}_{run.Id}.{ReportFormats.Extension(request.Format)}";
        var fileName = plainName + ".pgp";
        var objectKey = PartnerObjectKeys.Outbound(run.PartnerId, DateTime.SpecifyKind(run.CreatedAt, DateTimeKind.Utc), fileName);
        await StoreFileAsync(run, objectKey, fileName, async (output, token) =>
        {
            await using var rowsSource = await reader.OpenAsync(request, run.PartnerId, token);
            return await RenderEncryptedAsync(request, rowsSource, output, recipient, plainName, run.Armored, token);
        }, cancellationToken);
    }

    private PartnerPgpKey UsableKey(string armoredPublicKey)
    {
        var validation = keys.Validate(armoredPublicKey);
        return validation.IsValid
            ? validation.Key
            : throw new RunStepException($"The partner's PGP key can no longer be used: {validation.Rejection.Message}", transient: false);
    }

    /// <summary>
    /// Writes what <paramref name="produce"/> writes (and returns as the row count, null for files that have no rows)
    /// through a SHA-256 counter into a temporary file, stores it under <paramref name="objectKey"/> with its .sha256 file
    /// beside it, and records the run as stored. Nothing of the file is held in memory.
    /// </summary>
    private async Task StoreFileAsync(
        ReportRun run, string objectKey, string fileName, Func<Stream, CancellationToken, Task<long?>> produce, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Path.GetTempPath(), $"reportingapi-run-{run.Id}-{Guid.NewGuid():N}.pgp");
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        long? rows;
        string sha256;
        long bytes;
        await using (var hashing = new Sha256CountingStream(file))
        {
            rows = await produce(hashing, cancellationToken);
            sha256 = hashing.HashHex();
            bytes = hashing.BytesWritten;
        }

        file.Position = 0;
        await StoreAsync(objectKey, file, EncryptedContentType, cancellationToken);
        await using (var checksum = new MemoryStream(Encoding.ASCII.GetBytes($"{sha256}  {fileName}\n")))
        {
            await StoreAsync(objectKey + ".sha256", checksum, "text/plain", cancellationToken);
        }

        run.ObjectKey = objectKey;
        run.FileName = fileName;
        run.RowCount = rows;
        run.ByteCount = bytes;
        run.Sha256 = sha256;
        run.FailureReason = null;
        var counted = rows is { } rowCount ? $"{rowCount} rows, " : "";
        await store.TransitionAsync(run, RunStatus.Stored, $"{counted}{bytes} bytes, sha256 {sha256}", cancellationToken);
    }

    /// <summary>
    /// Renders into a bounded pipe on this thread while another encrypts, compresses and signs out of it: the two
    /// halves each take about as long, and gpg's shell pipeline overlaps them the same way.
    /// </summary>
    private async Task<long> RenderEncryptedAsync(
        ReportRequest request, ReportRows rows, Stream output, PartnerPgpKey recipient, string plainName, bool armored, CancellationToken cancellationToken)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: PipeBufferBytes, resumeWriterThreshold: PipeBufferBytes / 2, useSynchronizationContext: false));
        var encrypt = Task.Run(async () =>
        {
            var encrypting = encryptor.OpenEncryptingStream(output, recipient, plainName, armored);
            await using (encrypting)
            {
                try
                {
                    await pipe.Reader.CopyToAsync(encrypting, cancellationToken);
                }
                catch
                {
                    // A half-rendered report must not end as a validly signed file.
                    encrypting.Abandon();
                    throw;
                }
                finally
                {
                    await pipe.Reader.CompleteAsync();
                }
            }
        }, cancellationToken);

        long count;
        await using var plain = pipe.Writer.AsStream(leaveOpen: true);
        try
        {
            count = await rows.RenderAsync(renderers.For(request.Format), plain, cancellationToken);
            await pipe.Writer.CompleteAsync();
        }
        catch (Exception renderError)
        {
            // Completing with the error makes the encrypting side abandon the file instead of signing what it got.
            await pipe.Writer.CompleteAsync(renderError);
            await Task.WhenAny(encrypt);
            throw;
        }

        await encrypt;
        return count;
    }

    private async Task StoreAsync(string key, Stream content, string contentType, CancellationToken cancellationToken)
    {
        try
        {
            await objects.PutAsync(key, content, contentType, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new RunStepException("The file could not be written to the object store.", transient: true, e);
        }
    }

    private async Task DeliverAsync(ReportRun run, PartnerProfile profile, CancellationToken cancellationToken)
    {
        var target = profile.Target!;
        run.Attempts++;
        await store.TransitionAsync(run, RunStatus.Sending, $"attempt {run.Attempts} to {target.Kind} {target.RemoteDirectory}", cancellationToken);
        DeliveryFile[] files = [new DeliveryFile(run.ObjectKey!, run.FileName!), new DeliveryFile(run.ChecksumObjectKey, run.FileName + ".sha256")];
        if (target.Kind == DeliveryKind.AwsConnector && connectorOptions.Value.EffectiveCompletion == ConnectorCompletion.Events)
        {
            await HandOverToConnectorAsync(run, target, files, cancellationToken);
            return;
        }

        await deliveries.DeliverAsync(target, files, cancellationToken);
        await CompleteDeliveryAsync(run, profile, cancellationToken);
    }

    /// <summary>The one way a run becomes delivered, whether the delivery finished in line or a connector event confirmed it.</summary>
    private async Task CompleteDeliveryAsync(ReportRun run, PartnerProfile profile, CancellationToken cancellationToken)
    {
        run.FailureReason = null;
        await store.TransitionAsync(run, RunStatus.Delivered, $"{run.FileName} and its .sha256 in {profile.Target!.RemoteDirectory}", cancellationToken);
        metrics.RunDelivered(run.Id, run.RowCount, run.ByteCount, SinceCreated(run));
        if (run.SourceObjectKey is not null && profile.DeleteOutboxAfterDelivery)
        {
            await DeleteOutboxFileAsync(run, cancellationToken);
        }
    }

    private async Task RecordFailureAsync(string runId, Exception exception)
    {
        var (reason, transient) = Describe(exception);
        try
        {
            // From the record as saved: the failure may have struck between changing the run in memory and saving it.
            if (await store.GetAsync(runId) is not { } run)
            {
                return;
            }

            if (run.State != RunStatus.Sending)
            {
                // Delivery counts its own attempts; a failure before it (render, store) is an attempt too.
                run.Attempts++;
            }

            logger.LogWarning(exception, "Run {RunId} attempt {Attempt} failed: {Reason}", run.Id, run.Attempts, reason);
            if (transient && run.Attempts < options.Value.MaxDeliveryAttempts)
            {
                run.NextAttemptAt = clock.GetUtcNow().UtcDateTime + Backoff(run.Attempts);
                run.FailureReason = $"Attempt {run.Attempts} failed: {reason}";
                await store.SaveAsync(run, "retry-scheduled", $"{run.FailureReason} Next attempt at {run.NextAttemptAt:O}.");
            }
            else
            {
                await store.TransitionAsync(run, RunStatus.Failed, transient ? $"{reason} (after {run.Attempts} attempts)" : reason);
                metrics.RunFailed(run.Id, SinceCreated(run));
            }
        }
        catch (Exception recordError) when (DatabaseFailures.IsUnavailable(recordError))
        {
            // The database itself is down: the run stays unfinished in it and the worker's sweep takes it up again.
            logger.LogError(recordError, "Run {RunId}: could not record the failure ({Reason})", runId, reason);
        }
    }

    private TimeSpan SinceCreated(ReportRun run) => clock.GetUtcNow().UtcDateTime - DateTime.SpecifyKind(run.CreatedAt, DateTimeKind.Utc);

    private TimeSpan Backoff(int attempt)
    {
        var seconds = Math.Min(options.Value.RetryBaseDelaySeconds * Math.Pow(2, attempt - 1), options.Value.RetryMaxDelaySeconds);
        return TimeSpan.FromSeconds(seconds * (0.8 + Random.Shared.NextDouble() * 0.4));
    }

    /// <summary>A reason fit for the run's record and the partner's eyes: no hosts, credentials or stack traces.</summary>
    private static (string Reason, bool Transient) Describe(Exception exception) => exception switch
    {
        RunStepException step => (step.Message, step.Transient),
        DeliveryException delivery => (delivery.Message, delivery.Transient),
        _ when DatabaseFailures.IsUnavailable(exception) => ("The report database could not be read.", true),
        ObjectNotFoundException => ("The stored file is missing from the object store.", false),
        IOException => ("Writing the file failed (storage unavailable or full).", true),
        _ => ("An internal error stopped the run.", true),
    };

    private static ReportRequest ToReportRequest(ReportRun run)
    {
        var report = ReportCatalog.Find(run.Report) ?? throw new RunStepException($"The report '{run.Report}' no longer exists.", transient: false);
        if (!ReportFormats.TryParse(run.Format, out var format))
        {
            throw new RunStepException($"The format '{run.Format}' is not supported.", transient: false);
        }

        var filters = JsonSerializer.Deserialize<Dictionary<string, string>>(run.Filters) ?? [];
        return new ReportRequest(report, format, DateOnly.FromDateTime(run.PeriodFrom), DateOnly.FromDateTime(run.PeriodTo), filters);
    }
}

/// <summary>A step of a run failed for a reason worth recording as is.</summary>
public sealed class RunStepException(string reason, bool transient, Exception? inner = null) : Exception(reason, inner)
{
    public bool Transient { get; } = transient;
}
