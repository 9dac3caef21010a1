using System.Security.Cryptography;
using System.Text;
using Lambda.Hosting.Events;
using Lambda.Hosting.RuntimeApi;
using Microsoft.Extensions.Options;
using ReportingApi.Partners;
using ReportingApi.Runs;
using ReportingApi.Storage;

namespace ReportingApi.DropFolder;

/// <summary>
/// The bucket's S3 notification: every object created directly under <c>partners/{id}/outbox/</c> becomes a run that
/// delivers it to that partner's SFTP server (see <see cref="DropFolderFileSource"/>), executed in this invocation. Any other
/// object (outbound files, checksums, staging copies, nested folders, another bucket) is ignored with a log line.
/// S3 may notify an object twice: the run's idempotency key (bucket, key, version or ETag) makes one run of it, and
/// only the invocation that created the run executes it; a run it leaves unfinished is the scheduled tick's.
/// </summary>
public sealed class DropFolderNotificationHandler(
    RunStore runs,
    RunExecutor executor,
    PartnerStore partners,
    IOptions<ObjectStoreOptions> storeOptions,
    ILogger<DropFolderNotificationHandler> logger) : ILambdaEventHandler<S3Event>
{
    private const string ObjectCreatedPrefix = "ObjectCreated:";

    public async Task<object?> HandleAsync(S3Event lambdaEvent, LambdaInvocation invocation, CancellationToken cancellationToken)
    {
        var outcomes = new List<DropFolderOutcome>(lambdaEvent.Records.Count);
        foreach (var record in lambdaEvent.Records)
        {
            outcomes.Add(await HandleRecordAsync(record, cancellationToken));
        }

        return new DropFolderNotificationResult(outcomes);
    }

    private async Task<DropFolderOutcome> HandleRecordAsync(S3EventRecord record, CancellationToken cancellationToken)
    {
        if (!record.EventName.StartsWith(ObjectCreatedPrefix, StringComparison.Ordinal))
        {
            return Ignored(record, $"it is an {record.EventName} event");
        }

        var settings = storeOptions.Value;
        var keyPrefix = "";
        if (settings.Provider == ObjectStoreProvider.S3)
        {
            if (!string.Equals(record.BucketName, settings.S3.BucketName, StringComparison.Ordinal))
            {
                logger.LogWarning("Ignoring {Key} from bucket {Bucket}: the object store is bucket {StoreBucket}", record.ObjectKey, record.BucketName, settings.S3.BucketName);
                return new DropFolderOutcome(record.ObjectKey, null, null, "another bucket");
            }

            keyPrefix = S3ObjectStore.NormalizePrefix(settings.S3.KeyPrefix);
        }

        if (!record.ObjectKey.StartsWith(keyPrefix, StringComparison.Ordinal))
        {
            return Ignored(record, $"it is outside the store's key prefix '{keyPrefix}'");
        }

        var key = record.ObjectKey[keyPrefix.Length..];
        if (!PartnerObjectKeys.TryParseDropFolderFile(key, out var partnerId, out var fileName))
        {
            return Ignored(record, "it is not a file directly in a partner's outbox");
        }

        if (DropFolderFiles.IsIgnored(fileName))
        {
            return Ignored(record, "checksum files and partial uploads are not delivered");
        }

        if (await partners.FindAsync(partnerId, cancellationToken) is null)
        {
            logger.LogWarning("Ignoring {Key}: there is no partner {PartnerId}; the file stays", record.ObjectKey, partnerId);
            return new DropFolderOutcome(record.ObjectKey, null, null, "no such partner");
        }

        var (run, created) = await runs.CreateAsync(NewRun(record, key, partnerId), cancellationToken);
        if (!created)
        {
            logger.LogInformation("{Key} was notified again; run {RunId} ({Status}) already delivers it", record.ObjectKey, run.Id, run.Status);
            return new DropFolderOutcome(record.ObjectKey, run.Id, run.Status, null);
        }

        logger.LogInformation("Delivering outbox file {Key} to partner {PartnerId} as run {RunId}", record.ObjectKey, partnerId, run.Id);
        await executor.ExecuteAsync(run.Id, cancellationToken);
        var executed = await runs.GetAsync(run.Id, cancellationToken);
        return new DropFolderOutcome(record.ObjectKey, run.Id, executed?.Status, null);
    }

    private DropFolderOutcome Ignored(S3EventRecord record, string reason)
    {
        logger.LogInformation("Ignoring {EventName} of {Key}: {Reason}", record.EventName, record.ObjectKey, reason);
        return new DropFolderOutcome(record.ObjectKey, null, null, reason);
    }

    private static ReportRun NewRun(S3EventRecord record, string key, int partnerId)
    {
        var objectIdentity = IdentityHash(record);
        var day = record.EventTime.UtcDateTime.Date;
        return new ReportRun
        {
            Id = ReportRun.NewId(),
            PartnerId = partnerId,
            ClientId = DropFolderFiles.ClientId,
            IdempotencyKey = DropFolderFiles.IdempotencyKeyPrefix + objectIdentity,
            RequestHash = objectIdentity,
            Report = DropFolderFiles.ReportId,
            Format = DropFolderFiles.Format,
            PeriodFrom = day,
            PeriodTo = day,
            Filters = "{}",
            Status = RunStatuses.Name(RunStatus.Queued),
            SourceObjectKey = key,
        };
    }

    /// <summary>
    /// SHA-256 (hex) of the bucket, the key and the object's version (its ETag in an unversioned bucket): the same
    /// object notified twice hashes alike, a new upload under the same key does not.
    /// </summary>
    private static string IdentityHash(S3EventRecord record)
    {
        var version = record.VersionId ?? record.ETag ?? record.EventTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{record.BucketName}\n{record.ObjectKey}\n{version}")));
    }
}

/// <summary>The invocation's response: what became of each notified object.</summary>
public sealed record DropFolderNotificationResult(IReadOnlyList<DropFolderOutcome> Objects);

/// <summary>One notified object: the run that delivers it and its status afterwards, or why it was ignored.</summary>
public sealed record DropFolderOutcome(string ObjectKey, string? RunId, string? Status, string? Ignored);
