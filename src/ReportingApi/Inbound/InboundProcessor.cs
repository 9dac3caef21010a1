using System.IO.Pipelines;
using System.Text;
using Microsoft.Extensions.Options;
using ReportingApi.Data;
using ReportingApi.Observability;
using ReportingApi.Pgp;
using ReportingApi.Storage;

namespace ReportingApi.Inbound;

/// <summary>What became of one notified object: the file's record, or why it was left alone.</summary>
public sealed record InboundOutcome(string ObjectKey, InboundFile? File, string? Ignored = null);

/// <summary>
/// Processes an object under <c>partners/{id}/inbound/</c>: records it (once per object version), copies the original
/// to <c>inbound-archive/</c> before anything else, then checks and stores it, streamed end to end (a pipe between the
/// decryptor and the object store's put; nothing is held whole): encrypted files decrypted with the company key and
/// their signature checked against the partner's key on file as its policy says; a <c>.sha256</c>/<c>.md5</c> beside
/// the upload compared with the upload's bytes; plaintext only where allowed; the size limit. The clear file goes to
/// <c>raw/</c>, a rejected upload to <c>quarantine/</c> with its reason. The inbound object is removed at the end;
/// a processor that dies before leaves the file and its lease, and the file is taken again once the lease expires; one
/// that fails gives the lease back, and the file rests (<see cref="InboundOptions.RetryDelay"/>) before it is taken again;
/// after <see cref="InboundOptions.MaxAttempts"/> attempts that never finished it is rejected unchecked.
/// </summary>
public sealed class InboundProcessor(
    InboundFileStore files,
    InboundPartners partners,
    IObjectStore store,
    PgpDecryptor decryptor,
    IInboundMetrics metrics,
    IOptions<InboundOptions> options,
    ILogger<InboundProcessor> logger)
{
    private const string ContentType = "application/octet-stream";
    private const string ReasonSuffix = ".reason.txt";
    private const int PipeBufferBytes = 1024 * 1024;
    private const int MaxChecksumFileBytes = 4096;

    /// <param name="objectVersion">The S3 version id or ETag; for the folder store, size and modification time.</param>
    public async Task<InboundOutcome> ProcessAsync(string objectKey, string objectVersion, CancellationToken cancellationToken)
    {
        if (!PartnerObjectKeys.TryParseInboundFile(objectKey, out var partnerId, out var fileName))
        {
            return new InboundOutcome(objectKey, null, "not a file directly in a partner's inbound folder");
        }

        if (!InboundFileNames.IsProcessed(fileName))
        {
            return new InboundOutcome(objectKey, null, "checksum files and uploads under a temporary name are not processed");
        }

        if (await partners.FindAsync(partnerId, cancellationToken) is not { } partner)
        {
            logger.LogWarning("Ignoring {Key}: there is no partner {PartnerId}", objectKey, partnerId);
            return new InboundOutcome(objectKey, null, "no such partner");
        }

        var (file, created) = await files.RecordAsync(partnerId, objectKey, objectVersion, fileName, cancellationToken);
        if (created)
        {
            metrics.FileReceived(file.Id);
        }

        return await ProcessRecordedAsync(file, partner, cancellationToken);
    }

    /// <summary>A recorded file once more: one that a processor left unfinished (see <see cref="InboundRecovery"/>).</summary>
    public async Task<InboundOutcome> RetryAsync(InboundFile file, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        return await partners.FindAsync(file.PartnerId, cancellationToken) is { } partner
            ? await ProcessRecordedAsync(file, partner, cancellationToken)
            : new InboundOutcome(file.ObjectKey, file, "no such partner");
    }

    private async Task<InboundOutcome> ProcessRecordedAsync(InboundFile file, InboundPartner partner, CancellationToken cancellationToken)
    {
        if (file.IsFinished || !await files.TryLeaseAsync(file.Id, options.Value.Lease, cancellationToken))
        {
            return new InboundOutcome(file.ObjectKey, file);
        }

        try
        {
            // Every attempt before this one took the lease and never finished.
            if (file.Attempts >= options.Value.MaxAttempts)
            {
                await GiveUpAsync(file, cancellationToken);
            }
            else
            {
                await ProcessLeasedAsync(file, partner, cancellationToken);
            }
        }
        catch (Exception e)
        {
            // The lease just taken was attempt number Attempts + 1.
            await files.ReleaseLeaseAfterFailureAsync(file.Id, options.Value.RetryDelayAfter(file.Attempts + 1), FailureOf(e));
            throw;
        }

        await files.ReleaseLeaseAsync(file.Id);

        return new InboundOutcome(file.ObjectKey, await files.FindAsync(file.Id, null, cancellationToken));
    }

    private async Task ProcessLeasedAsync(InboundFile file, InboundPartner partner, CancellationToken cancellationToken)
    {
        var archiveKey = await ArchiveAsync(file, cancellationToken);
        var rawKey = RawKey(file);
        var checksum = await ReadChecksumAsync(file.ObjectKey, cancellationToken);
        var maxBytes = Math.Min(partner.Policy.MaxBytes ?? long.MaxValue, options.Value.MaxBytes);
        var encrypted = InboundFileNames.IsEncrypted(file.FileName);

        await using var archived = await store.OpenReadAsync(archiveKey, cancellationToken);
        await using var upload = new HashingReadStream(archived, maxBytes);
        var check = !encrypted && !partner.Policy.AllowPlaintext
            ? Check.Rejected(InboundRejection.PlaintextNotAllowed, "The file is not encrypted (no .pgp, .gpg or .asc name) and your policy accepts encrypted files only.")
            : await StoreClearAsync(upload, encrypted, rawKey, partner, maxBytes, cancellationToken);

        if (check.Rejection is null && checksum is { } expected && !expected.Matches(upload))
        {
            check = Check.Rejected(InboundRejection.ChecksumMismatch, $"The {expected.Algorithm} in {expected.FileName} is {expected.Hex}; the uploaded file's is {expected.Actual(upload)}.");
        }

        if (check.Rejection is { } rejection)
        {
            await RejectAsync(file, rejection, check.Reason!, upload.ReachedEnd ? upload.BytesRead : null, rawKey, archiveKey, cancellationToken);
        }
        else
        {
            var verification = check.Verification!;
            await files.MarkVerifiedAsync(file.Id, verification, cancellationToken);
            await files.MarkStoredAsync(file.Id, rawKey, cancellationToken);
            metrics.FileStored(file.Id, verification.ClearBytes);
            logger.LogInformation("Inbound file {FileId} of partner {PartnerId} stored: {Bytes} bytes, signed by {Signer}", file.Id, file.PartnerId, verification.ClearBytes, verification.SignerFingerprint ?? "nobody");
        }

        await RemoveUploadAsync(file.ObjectKey, cancellationToken);
    }

    /// <summary>Rejects a file whose processing never finished, unchecked, keeping the original as any rejection does.</summary>
    private async Task GiveUpAsync(InboundFile file, CancellationToken cancellationToken)
    {
        if (file.ArchiveKey is null && !await store.ExistsAsync(file.ObjectKey, cancellationToken))
        {
            // Removed from /inbound (the partner may delete there) before its archive copy: each attempt failed at that copy.
            const string removed = "The upload was removed from /inbound before it could be processed, so there is nothing to check or keep. Please upload it again.";
            await MarkRejectedAsync(file, InboundRejection.ProcessingFailed, removed, null, quarantineKey: null, cancellationToken);
            return;
        }

        var archiveKey = await ArchiveAsync(file, cancellationToken);
        var reason = $"Processing this file stopped before it finished in each of its {file.Attempts} attempts (at the service's time limit, or on a failure of our own storage or database), " +
            "so it was not checked. Please upload it again; if that fails too, contact us: we have kept the original.";
        await RejectAsync(file, InboundRejection.ProcessingFailed, reason, null, RawKey(file), archiveKey, cancellationToken);
        await RemoveUploadAsync(file.ObjectKey, cancellationToken);
    }

    /// <summary>
    /// Why an attempt failed, for operators: our own words for the database (whose errors can name hosts and users) and
    /// the time limit; otherwise the exception's type and message (the object store's: a key, a path, an S3 error code).
    /// </summary>
    private static string FailureOf(Exception exception) => exception switch
    {
        _ when DatabaseFailures.IsUnavailable(exception) => "The database could not be reached.",
        OperationCanceledException => "The attempt was stopped before it finished (the time limit, or the service stopping).",
        ObjectNotFoundException missing => $"The object {missing.Key} is missing from the object store.",
        IOException { InnerException: { } cause } io => $"{io.Message} {cause.GetType().Name}: {cause.Message}",
        _ => $"{exception.GetType().Name}: {exception.Message}",
    };

    /// <summary>The original's copy under <c>inbound-archive/</c>, made before anything else is done with the upload.</summary>
    private async Task<string> ArchiveAsync(InboundFile file, CancellationToken cancellationToken)
    {
        var archiveKey = PartnerObjectKeys.InboundArchive(file.PartnerId, file.ReceivedAt, file.Id, file.FileName);
        if (file.ArchiveKey is null)
        {
            await store.CopyAsync(file.ObjectKey, archiveKey, cancellationToken);
            await files.SetArchivedAsync(file.Id, archiveKey, cancellationToken);
        }

        return archiveKey;
    }

    private static string RawKey(InboundFile file) =>
        PartnerObjectKeys.Raw(file.PartnerId, file.ReceivedAt, file.Id, InboundFileNames.ClearName(file.FileName));

    /// <summary>Streams the clear content of <paramref name="upload"/> to <paramref name="rawKey"/>, decrypting and verifying on the way when it is encrypted.</summary>
    private async Task<Check> StoreClearAsync(HashingReadStream upload, bool encrypted, string rawKey, InboundPartner partner, long maxBytes, CancellationToken cancellationToken)
    {
        try
        {
            if (!encrypted)
            {
                await store.PutAsync(rawKey, upload, ContentType, cancellationToken);
                return Check.Passed(new InboundVerification(upload.BytesRead, upload.BytesRead, upload.Sha256Hex, null, null));
            }

            var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: PipeBufferBytes, resumeWriterThreshold: PipeBufferBytes / 2));
            await using var clear = new HashingReadStream(pipe.Reader.AsStream(), long.MaxValue);
            var put = PutThenCompleteAsync(pipe.Reader, rawKey, clear, cancellationToken);
            PgpDecryptionResult result;
            try
            {
                // BouncyCastle reads synchronously: off the caller's thread.
                result = await Task.Run(() => DecryptAsync(upload, pipe.Writer, partner, cancellationToken), cancellationToken);
            }
            catch (Exception e)
            {
                await pipe.Writer.CompleteAsync(e);
                await Task.WhenAny(put);
                if (e is not PgpDecryptionException && put.IsFaulted)
                {
                    // The clear text had nowhere to go because the store's put failed: the put's error says why.
                    await put;
                }

                throw;
            }

            await put;
            // The decryptor stops after the last packet it needs: the rest (if any) still counts for size and checksum.
            await upload.CopyToAsync(Stream.Null, cancellationToken);
            var signature = SignatureCheck(result, partner);
            return signature ?? Check.Passed(new InboundVerification(upload.BytesRead, clear.BytesRead, clear.Sha256Hex, result.SignerKeyId, result.SignerFingerprint));
        }
        catch (InboundTooLargeException e)
        {
            return Check.Rejected(InboundRejection.TooLarge, e.Message);
        }
        catch (PgpDecryptionException e)
        {
            return Check.Rejected(InboundRejection.DecryptFailed, $"{e.Failure}: {e.Message}");
        }
    }

    private async Task<PgpDecryptionResult> DecryptAsync(Stream upload, PipeWriter clear, InboundPartner partner, CancellationToken cancellationToken)
    {
        await using (var output = clear.AsStream(leaveOpen: true))
        {
            var result = await decryptor.DecryptAsync(upload, output, partner.SigningKey is { } key ? [key] : [], cancellationToken);
            await clear.CompleteAsync();
            return result;
        }
    }

    private async Task PutThenCompleteAsync(PipeReader reader, string key, Stream content, CancellationToken cancellationToken)
    {
        try
        {
            await store.PutAsync(key, content, ContentType, cancellationToken);
            await reader.CompleteAsync();
        }
        catch (Exception e)
        {
            // Unblocks the decryptor, whose writes then fail, instead of waiting for a reader that stopped.
            await reader.CompleteAsync(e);
            throw;
        }
    }

    /// <summary>Null when the signature satisfies the partner's policy, else the rejection.</summary>
    private static Check? SignatureCheck(PgpDecryptionResult result, InboundPartner partner) => (partner.Policy.Signature, result.Signature) switch
    {
        (SignaturePolicy.None, _) => null,
        (_, PgpSignatureStatus.Valid) => null,
        (SignaturePolicy.IfSigned, PgpSignatureStatus.Unsigned) => null,
        (SignaturePolicy.Required, PgpSignatureStatus.Unsigned) => Check.Rejected(InboundRejection.SignatureMissing, "Your policy requires files signed with your PGP key; this one is not signed."),
        (_, PgpSignatureStatus.UnknownSigner) when partner.SigningKey is null =>
            Check.Rejected(InboundRejection.SignatureMissing, $"The file is signed by key {result.SignerKeyId}, but there is no usable PGP key of yours on file to check it against."),
        (_, PgpSignatureStatus.UnknownSigner) => Check.Rejected(InboundRejection.BadSignature, $"The file is signed by key {result.SignerKeyId}, which is not your key on file ({partner.SigningKeyFingerprint})."),
        _ => Check.Rejected(InboundRejection.BadSignature, $"The signature by key {result.SignerKeyId} does not match the file's content."),
    };

    private async Task RejectAsync(InboundFile file, InboundRejection rejection, string reason, long? uploadedBytes, string rawKey, string archiveKey, CancellationToken cancellationToken)
    {
        await store.DeleteAsync(rawKey, cancellationToken);
        var quarantineKey = PartnerObjectKeys.Quarantine(file.PartnerId, file.ReceivedAt, file.Id, file.FileName);
        await store.CopyAsync(archiveKey, quarantineKey, cancellationToken);
        using (var reasonText = new MemoryStream(Encoding.UTF8.GetBytes($"{rejection}: {reason}\n")))
        {
            await store.PutAsync(quarantineKey + ReasonSuffix, reasonText, "text/plain; charset=utf-8", cancellationToken);
        }

        await MarkRejectedAsync(file, rejection, reason, uploadedBytes, quarantineKey, cancellationToken);
    }

    private async Task MarkRejectedAsync(InboundFile file, InboundRejection rejection, string reason, long? uploadedBytes, string? quarantineKey, CancellationToken cancellationToken)
    {
        await files.MarkRejectedAsync(file.Id, rejection, reason, uploadedBytes, quarantineKey, cancellationToken);
        metrics.FileRejected(file.Id, rejection.ToString());
        logger.LogWarning("Inbound file {FileId} of partner {PartnerId} rejected: {Rejection}: {Reason}", file.Id, file.PartnerId, rejection, reason);
    }

    /// <summary>The upload and its checksum files leave the inbound folder; the archive keeps the original.</summary>
    private async Task RemoveUploadAsync(string objectKey, CancellationToken cancellationToken)
    {
        await store.DeleteAsync(objectKey, cancellationToken);
        await store.DeleteAsync(objectKey + InboundFileNames.Sha256Extension, cancellationToken);
        await store.DeleteAsync(objectKey + InboundFileNames.Md5Extension, cancellationToken);
    }

    /// <summary>The checksum file beside the upload (<c>.sha256</c> first, then <c>.md5</c>), or null when there is none.</summary>
    private async Task<ExpectedChecksum?> ReadChecksumAsync(string objectKey, CancellationToken cancellationToken)
    {
        foreach (var (extension, algorithm) in new[] { (InboundFileNames.Sha256Extension, "SHA-256"), (InboundFileNames.Md5Extension, "MD5") })
        {
            var key = objectKey + extension;
            if (!await store.ExistsAsync(key, cancellationToken))
            {
                continue;
            }

            await using var content = await store.OpenReadAsync(key, cancellationToken);
            var buffer = new byte[MaxChecksumFileBytes];
            var length = await content.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
            // sha256sum's and md5sum's format: the hex digest, then (optionally) two spaces and the file name.
            var hex = Encoding.UTF8.GetString(buffer, 0, length).Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
            return new ExpectedChecksum(algorithm, key[(key.LastIndexOf('/') + 1)..], hex.ToLowerInvariant());
        }

        return null;
    }

    private sealed record ExpectedChecksum(string Algorithm, string FileName, string Hex)
    {
        public string Actual(HashingReadStream upload) => Algorithm == "MD5" ? upload.Md5Hex : upload.Sha256Hex;

        public bool Matches(HashingReadStream upload) => string.Equals(Hex, Actual(upload), StringComparison.Ordinal);
    }

    private sealed record Check(InboundVerification? Verification, InboundRejection? Rejection, string? Reason)
    {
        public static Check Passed(InboundVerification verification) => new(verification, null, null);

        public static Check Rejected(InboundRejection rejection, string reason) => new(null, rejection, reason);
    }
}
