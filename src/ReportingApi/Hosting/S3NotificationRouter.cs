using Lambda.Hosting.Events;
using Lambda.Hosting.RuntimeApi;
using ReportingApi.DropFolder;
using ReportingApi.Inbound;

namespace ReportingApi.Hosting;

/// <summary>
/// The bucket's S3 notifications (every object created under <c>partners/</c>) routed by prefix: partners' uploads under
/// <c>partners/{id}/inbound/</c> to inbound processing, everything else to the drop folder's handler, which ignores what
/// is not in a drop folder. A notification of drop-folder objects only is answered as the drop folder's handler answers.
/// </summary>
public sealed class S3NotificationRouter(DropFolderNotificationHandler dropFolder, InboundNotifications inbound) : ILambdaEventHandler<S3Event>
{
    public async Task<object?> HandleAsync(S3Event lambdaEvent, LambdaInvocation invocation, CancellationToken cancellationToken)
    {
        var uploads = lambdaEvent.Records.Where(inbound.IsInbound).ToList();
        if (uploads.Count == 0)
        {
            return await dropFolder.HandleAsync(lambdaEvent, invocation, cancellationToken);
        }

        var inboundResult = await inbound.HandleAsync(uploads, cancellationToken);
        var others = lambdaEvent.Records.Except(uploads).ToList();
        return others.Count == 0
            ? inboundResult
            : new S3NotificationResult(inboundResult.Objects, await dropFolder.HandleAsync(new S3Event(others), invocation, cancellationToken));
    }
}

/// <summary>The answer to a notification of both kinds of object.</summary>
public sealed record S3NotificationResult(IReadOnlyList<InboundOutcome> Inbound, object? DropFolder);
