using System.Text;
using ReportingApi.Partners;
using ReportingApi.Pgp;
using ReportingApi.Runs;
using ReportingApi.Runs.Sources;
using ReportingApi.Storage;

namespace ReportingApi.DropFolder;

/// <summary>
/// The file of a run that delivers a file the partner's systems dropped in its drop folder: an OpenPGP file
/// (<c>.pgp</c>/<c>.gpg</c>) is sent as it is, anything else is encrypted to the partner's key and signed like a report,
/// as <c>{name}.pgp</c>. It goes through the partner's outbound folder like a report, so delivery, checksum and
/// redelivery work alike. Once delivered, the source is deleted if the partner asked for it; otherwise it stays.
/// </summary>
public sealed class DropFolderFileSource(
    IObjectStore objects, PgpEncryptor encryptor, RecipientKeys keys, RunStore runs, ILogger<DropFolderFileSource> logger) : IRunFileSource
{
    public bool Produces(ReportRun run) => run.SourceObjectKey is not null;

    public RunFile Plan(ReportRun run, PartnerProfile partner)
    {
        var sourceKey = run.SourceObjectKey!;
        if (!partner.Active)
        {
            throw new RunStepException("The partner is inactive: files in its outbox are not delivered.", transient: false);
        }

        if (!PartnerObjectKeys.TryParseDropFolderFile(sourceKey, out var partnerId, out var name) || partnerId != run.PartnerId)
        {
            throw new RunStepException($"'{sourceKey}' is not a file in the partner's outbox.", transient: false);
        }

        var alreadyEncrypted = DropFolderFiles.IsEncrypted(name);
        var fileName = alreadyEncrypted ? name : name + ".pgp";
        if (Encoding.UTF8.GetByteCount(fileName) > DropFolderFiles.MaxFileNameBytes)
        {
            throw new RunStepException($"The outbox file name is too long: the delivered name may have at most {DropFolderFiles.MaxFileNameBytes} UTF-8 bytes (with the .pgp that encryption adds).", transient: false);
        }

        var recipient = alreadyEncrypted ? null : keys.UsableKey(partner);
        return new RunFile(
            fileName,
            PartnerObjectKeys.Outbound(run.PartnerId, DateTime.SpecifyKind(run.CreatedAt, DateTimeKind.Utc), run.Id, fileName),
            $"attempt {run.Attempts + 1}: {(alreadyEncrypted ? "copying" : "encrypting")} {sourceKey}",
            async (output, token) =>
            {
                await using var source = await OpenAsync(sourceKey, token);
                if (recipient is null)
                {
                    await source.CopyToAsync(output, PgpEncryptor.BufferSize, token);
                }
                else
                {
                    await encryptor.EncryptAsync(source, output, recipient, name, run.Armored, token);
                }

                return null;
            });
    }

    /// <summary>
    /// Removes the delivered source, as the partner asked. The run is delivered whatever happens here: a failed delete
    /// (or a failure to record it) is logged and, where possible, recorded as a step; the file then stays.
    /// </summary>
    public async Task AfterDeliveryAsync(ReportRun run, PartnerProfile partner, CancellationToken cancellationToken)
    {
        if (!partner.DeleteDropFolderFilesAfterDelivery)
        {
            return;
        }

        var sourceKey = run.SourceObjectKey!;
        var (step, detail) = (DropFolderFiles.SourceDeletedStep, sourceKey);
#pragma warning disable CA1031 // Nothing here may turn a delivered run into a failed one.
        try
        {
            await objects.DeleteAsync(sourceKey, cancellationToken);
        }
        catch (Exception deleteError) when (deleteError is not OperationCanceledException)
        {
            logger.LogWarning(deleteError, "Run {RunId} is delivered but its outbox file {Key} could not be deleted", run.Id, sourceKey);
            (step, detail) = (DropFolderFiles.SourceDeleteFailedStep, $"{sourceKey} could not be deleted; it stays in the outbox.");
        }

        try
        {
            await runs.SaveAsync(run, step, detail, cancellationToken);
        }
        catch (Exception recordError) when (recordError is not OperationCanceledException)
        {
            logger.LogError(recordError, "Run {RunId}: could not record what became of its outbox file {Key}", run.Id, sourceKey);
        }
#pragma warning restore CA1031
    }

    private async Task<Stream> OpenAsync(string key, CancellationToken cancellationToken)
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
}
