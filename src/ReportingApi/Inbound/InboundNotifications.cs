using Lambda.Hosting.Events;
using Microsoft.Extensions.Options;
using ReportingApi.Storage;

namespace ReportingApi.Inbound;

/// <summary>
/// On Lambda, the bucket's S3 notifications of objects under <c>partners/{id}/inbound/</c> (the Lambda wiring routes them
/// here): each is processed in this invocation. The object's version is its S3 version id, else its ETag, so a second
/// notification of the same upload finds its record. An invocation that fails is retried by Lambda; a file whose
/// processor died holding it is taken again by the tick (<see cref="InboundRecovery"/>).
/// </summary>
public sealed class InboundNotifications(InboundProcessor processor, IOptions<ObjectStoreOptions> store, ILogger<InboundNotifications> logger)
{
    private const string ObjectCreatedPrefix = "ObjectCreated:";

    /// <summary>Whether <paramref name="record"/> names a file a partner uploaded (created in the store's bucket, directly in an inbound folder).</summary>
    public bool IsInbound(S3EventRecord record) =>
        record.EventName.StartsWith(ObjectCreatedPrefix, StringComparison.Ordinal)
        && store.Value.StoreKeyOf(record.BucketName, record.ObjectKey) is { } key
        && PartnerObjectKeys.TryParseInboundFile(key, out _, out _);

    public async Task<InboundNotificationResult> HandleAsync(IEnumerable<S3EventRecord> records, CancellationToken cancellationToken)
    {
        var outcomes = new List<InboundOutcome>();
        foreach (var record in records)
        {
            var key = store.Value.StoreKeyOf(record.BucketName, record.ObjectKey)!;
            var version = record.VersionId ?? record.ETag ?? record.EventTime.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var outcome = await processor.ProcessAsync(key, version, cancellationToken);
            if (outcome.Ignored is { } reason)
            {
                logger.LogInformation("Ignoring {Key}: {Reason}", record.ObjectKey, reason);
            }

            outcomes.Add(outcome);
        }

        return new InboundNotificationResult(outcomes);
    }
}

/// <summary>What became of each notified inbound object.</summary>
public sealed record InboundNotificationResult(IReadOnlyList<InboundOutcome> Objects);
