using Microsoft.Extensions.Options;

namespace ReportingApi.Inbound;

/// <summary>
/// On Lambda, files a processor left unfinished are taken again here, by the scheduled tick. Lambda retries a failed S3
/// notification twice, one and three minutes later, while a processor that died (the function's time limit, a crash)
/// still holds its lease (<see cref="InboundOptions.Lease"/>), or while a file rests after a failed attempt
/// (<see cref="InboundOptions.RetryDelay"/>): the retries find the file taken and end, and nothing would take it again.
/// Off Lambda the folder sweep finds such files in the inbound folder by itself.
/// </summary>
public sealed class InboundRecovery(
    InboundFileStore files, InboundProcessor processor, IOptions<InboundOptions> options, TimeProvider clock, ILogger<InboundRecovery> logger)
{
    private const int FilesPerCall = 20;

    /// <summary>Processes the stale files one by one, none after <paramref name="deadline"/>; returns how many were taken without an error.</summary>
    public async Task<int> RetryStaleAsync(DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var taken = 0;
        foreach (var file in await files.ListStaleAsync(options.Value.Lease, FilesPerCall, cancellationToken))
        {
            var left = deadline - clock.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                break;
            }

            // A file that does not finish by the deadline gives its lease back, rests, and has used one of its attempts.
            using var untilDeadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            untilDeadline.CancelAfter(left);
            try
            {
                var outcome = await processor.RetryAsync(file, untilDeadline.Token);
                taken++;
                logger.LogInformation("Inbound file {FileId} of partner {PartnerId}, left unfinished, taken again: {Status}", file.Id, file.PartnerId, outcome.File?.Status ?? outcome.Ignored);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogError(e, "Inbound file {FileId} of partner {PartnerId}, left unfinished, failed again", file.Id, file.PartnerId);
            }
        }

        return taken;
    }
}
