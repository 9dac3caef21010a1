using Microsoft.Extensions.Options;
using ReportingApi.Storage;

namespace ReportingApi.Inbound;

/// <summary>
/// Off Lambda, with the folder object store: every <see cref="InboundOptions.SweepIntervalSeconds"/> the files directly
/// in <c>partners/{id}/inbound/</c> (where the local SFTP server puts uploads) are processed, once they have not changed
/// for <see cref="InboundOptions.SettleTime"/> (sshd writes an upload in place, so a younger file may still be growing).
/// A file's version is its size and modification time. With S3 on Lambda the bucket's notifications do this instead.
/// </summary>
public sealed class InboundFolderSweep(
    IObjectStore store, InboundProcessor processor, IOptions<InboundOptions> options, TimeProvider clock, ILogger<InboundFolderSweep> logger) : BackgroundService
{
    /// <summary>Processes every settled upload once; returns what became of each.</summary>
    public async Task<IReadOnlyList<InboundOutcome>> SweepOnceAsync(CancellationToken cancellationToken)
    {
        if (store is not FolderObjectStore folderStore)
        {
            return [];
        }

        var partnersFolder = Path.Combine(folderStore.RootPath, "partners");
        if (!Directory.Exists(partnersFolder))
        {
            return [];
        }

        var settledBefore = clock.GetUtcNow() - options.Value.SettleTime;
        var outcomes = new List<InboundOutcome>();
        foreach (var inbound in Directory.EnumerateDirectories(partnersFolder).Select(partner => Path.Combine(partner, "inbound")).Where(Directory.Exists))
        {
            // Checksum files are read (and removed) with the file they describe; nor are they processed on their own.
            foreach (var file in new DirectoryInfo(inbound).GetFiles().Where(file => InboundFileNames.IsProcessed(file.Name)))
            {
                file.Refresh();
                if (!file.Exists || file.LastWriteTimeUtc > settledBefore.UtcDateTime)
                {
                    continue;
                }

                var key = Path.GetRelativePath(folderStore.RootPath, file.FullName).Replace(Path.DirectorySeparatorChar, ObjectKeys.Separator);
                var version = $"{file.Length}@{file.LastWriteTimeUtc.Ticks}";
                try
                {
                    outcomes.Add(await processor.ProcessAsync(key, version, cancellationToken));
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    // The file stays (its record received) and is taken again by a sweep once its rest is over
                    // (Inbound:RetryDelay), until its attempts run out (Inbound:MaxAttempts); the others go on.
                    logger.LogError(e, "Inbound file {Key} could not be processed; it is tried again after a rest", key);
                }
            }
        }

        return outcomes;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.SweepIntervalSeconds <= 0 || store is not FolderObjectStore)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.SweepIntervalSeconds), clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await SweepOnceAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The database or the disk may be back by the next sweep; the file stays until then.
                logger.LogError(e, "The inbound sweep failed");
            }
        }
    }
}
