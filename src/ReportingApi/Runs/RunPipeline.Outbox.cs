using System.Text;
using ReportingApi.DropFolder;
using ReportingApi.Partners;
using ReportingApi.Pgp;
using ReportingApi.Storage;

namespace ReportingApi.Runs;

/// <summary>Runs that deliver a file a partner's systems dropped in its S3 outbox, instead of rendering a report.</summary>
public sealed partial class RunPipeline
{
    /// <summary>
    /// A file the partner's systems dropped in its outbox: an OpenPGP file (<c>.pgp</c>/<c>.gpg</c>) is sent as it is,
    /// anything else is encrypted to the partner's key and signed like a report, as <c>{name}.pgp</c>. It goes through
    /// the partner's outbound folder like a report, so delivery, checksum and redelivery work alike; the source stays.
    /// </summary>
    private async Task ForwardOutboxFileAsync(ReportRun run, PartnerProfile profile, CancellationToken cancellationToken)
    {
        var sourceKey = run.SourceObjectKey!;
        if (!profile.Active)
        {
            throw new RunStepException("The partner is inactive: files in its outbox are not delivered.", transient: false);
        }

        if (!PartnerObjectKeys.TryParseOutboxFile(sourceKey, out var partnerId, out var name) || partnerId != run.PartnerId)
        {
            throw new RunStepException($"'{sourceKey}' is not a file in the partner's outbox.", transient: false);
        }

        var alreadyEncrypted = OutboxFiles.IsEncrypted(name);
        var fileName = alreadyEncrypted ? name : name + ".pgp";
        if (Encoding.UTF8.GetByteCount(fileName) > OutboxFiles.MaxFileNameBytes)
        {
            throw new RunStepException($"The outbox file name is too long: the delivered name may have at most {OutboxFiles.MaxFileNameBytes} UTF-8 bytes (with the .pgp that encryption adds).", transient: false);
        }

        var recipient = alreadyEncrypted ? null : UsableKey(profile.PgpPublicKey!);
        await store.TransitionAsync(
            run, RunStatus.Rendering, $"attempt {run.Attempts + 1}: {(alreadyEncrypted ? "copying" : "encrypting")} {sourceKey}", cancellationToken);
        var objectKey = PartnerObjectKeys.Outbound(run.PartnerId, DateTime.SpecifyKind(run.CreatedAt, DateTimeKind.Utc), run.Id, fileName);
        await StoreFileAsync(run, objectKey, fileName, async (output, token) =>
        {
            await using var source = await OpenOutboxFileAsync(sourceKey, token);
            if (recipient is null)
            {
                await source.CopyToAsync(output, PgpEncryptor.BufferSize, token);
            }
            else
            {
                await encryptor.EncryptAsync(source, output, recipient, name, run.Armored, token);
            }

            return null;
        }, cancellationToken);
    }

    private async Task<Stream> OpenOutboxFileAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            return await objects.OpenReadAsync(key, cancellationToken);
        }
        catch (ObjectNotFoundException)
        {
            throw new RunStepException($"The outbox file '{key}' is no longer in the object store.", transient: false);
        }
    }

    /// <summary>
    /// Removes the delivered outbox file, as the partner asked. The run is delivered whatever happens here: a failed
    /// delete (or a failure to record it) is logged and, where possible, recorded as a step; the file then stays.
    /// </summary>
    private async Task DeleteOutboxFileAsync(ReportRun run, CancellationToken cancellationToken)
    {
        var sourceKey = run.SourceObjectKey!;
        var (step, detail) = (OutboxFiles.SourceDeletedStep, sourceKey);
#pragma warning disable CA1031 // Nothing here may turn a delivered run into a failed one.
        try
        {
            await objects.DeleteAsync(sourceKey, cancellationToken);
        }
        catch (Exception deleteError) when (deleteError is not OperationCanceledException)
        {
            logger.LogWarning(deleteError, "Run {RunId} is delivered but its outbox file {Key} could not be deleted", run.Id, sourceKey);
            (step, detail) = (OutboxFiles.SourceDeleteFailedStep, $"{sourceKey} could not be deleted; it stays in the outbox.");
        }

        try
        {
            await store.SaveAsync(run, step, detail, cancellationToken);
        }
        catch (Exception recordError) when (recordError is not OperationCanceledException)
        {
            logger.LogError(recordError, "Run {RunId}: could not record what became of its outbox file {Key}", run.Id, sourceKey);
        }
#pragma warning restore CA1031
    }
}
