using System.Text;
using ReportingApi.Runs.Sources;
using ReportingApi.Storage;

namespace ReportingApi.Runs;

/// <summary>
/// Makes a run's file, whatever its source: writes it through a SHA-256 counter into a temporary file, stores it with
/// its <c>.sha256</c> file beside it, and records the run as stored. Nothing of the file is held in memory. A stored
/// file is never made again, so a redelivery sends the same bytes.
/// </summary>
public sealed class RunFiles(RunStore store, IObjectStore objects)
{
    private const string EncryptedContentType = "application/pgp-encrypted";

    public async Task MakeAsync(ReportRun run, RunFile file, CancellationToken cancellationToken)
    {
        await store.TransitionAsync(run, RunStatus.Rendering, file.StepDetail, cancellationToken);
        var path = Path.Combine(Path.GetTempPath(), $"reportingapi-run-{run.Id}-{Guid.NewGuid():N}.pgp");
        await using var temporary = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        long? rows;
        string sha256;
        long bytes;
        await using (var hashing = new Sha256CountingStream(temporary))
        {
            rows = await file.WriteAsync(hashing, cancellationToken);
            sha256 = hashing.HashHex();
            bytes = hashing.BytesWritten;
        }

        temporary.Position = 0;
        await StoreAsync(file.ObjectKey, temporary, EncryptedContentType, cancellationToken);
        await using (var checksum = new MemoryStream(Encoding.ASCII.GetBytes($"{sha256}  {file.FileName}\n")))
        {
            await StoreAsync(file.ObjectKey + ".sha256", checksum, "text/plain", cancellationToken);
        }

        run.ObjectKey = file.ObjectKey;
        run.FileName = file.FileName;
        run.RowCount = rows;
        run.ByteCount = bytes;
        run.Sha256 = sha256;
        run.FailureReason = null;
        var counted = rows is { } rowCount ? $"{rowCount} rows, " : "";
        await store.TransitionAsync(run, RunStatus.Stored, $"{counted}{bytes} bytes, sha256 {sha256}", cancellationToken);
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
}
