using System.IO.Pipelines;
using System.Text.Json;
using ReportingApi.Partners;
using ReportingApi.Pgp;
using ReportingApi.Reports;
using ReportingApi.Reports.Rendering;
using ReportingApi.Storage;

namespace ReportingApi.Runs.Sources;

/// <summary>
/// The file of a report run: the report (streamed from the database) rendered and PGP-encrypted to the partner's key,
/// named <c>{report}_{from}_{to}_{runId}.{ext}.pgp</c> in the partner's outbound folder.
/// </summary>
public sealed class ReportFileSource(ReportReader reader, ReportRenderers renderers, PgpEncryptor encryptor, RecipientKeys keys) : IRunFileSource
{
    private const int PipeBufferBytes = 4 * 1024 * 1024;

    /// <summary>Every run without a source object renders its report.</summary>
    public bool Produces(ReportRun run) => run.SourceObjectKey is null;

    public RunFile Plan(ReportRun run, PartnerProfile partner)
    {
        var recipient = keys.UsableKey(partner);
        var request = ToReportRequest(run);
        var plainName = $"{request.Report.Id}_{request.From:yyyy-MM-dd}_{request.To:yyyy-MM-dd}_{run.Id}.{ReportFormats.Extension(request.Format)}";
        var fileName = plainName + ".pgp";
        return new RunFile(
            fileName,
            PartnerObjectKeys.Outbound(run.PartnerId, DateTime.SpecifyKind(run.CreatedAt, DateTimeKind.Utc), fileName),
            $"attempt {run.Attempts + 1}",
            async (output, token) =>
            {
                await using var rows = await reader.OpenAsync(request, run.PartnerId, token);
                return await RenderEncryptedAsync(request, rows, output, recipient, plainName, run.Armored, token);
            });
    }

    /// <summary>
    /// Renders into a bounded pipe on this thread while another encrypts, compresses and signs out of it: the two
    /// halves each take about as long, and gpg's shell pipeline overlaps them the same way.
    /// </summary>
    private async Task<long?> RenderEncryptedAsync(
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
