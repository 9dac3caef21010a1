using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ReportingApi.Partners;
using ReportingApi.Problems;
using ReportingApi.Reports.Rendering;
using ReportingApi.Security;

namespace ReportingApi.Reports;

public static class ReportsApi
{
    public static RouteGroupBuilder MapReportsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapSecuredGroup("/v1/reports", "Reports", Scopes.Read)
            .RequirePartner();

        group.MapGet("/", GetCatalog)
            .WithName("GetReportCatalog")
            .WithSummary("List the reports you may download")
            .WithDescription("Each report's columns (name, type), formats, period semantics and filters.");

        group.MapGet("/{report}", DownloadReport)
            .WithName("DownloadReport")
            .WithSummary("Download a report, streamed")
            .WithDescription("Streams the report for your employers in the period [from, to] (ISO dates, both included). " +
                "Filters are query parameters named in the catalog, e.g. status=active. For large periods or files to be delivered, use report runs.")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv", additionalContentTypes: [ReportFormats.ContentType(ReportFormat.Xlsx), "application/json"])
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        return group;
    }

    internal static Ok<ReportCatalogResponse> GetCatalog(HttpContext context, IOptions<ReportsOptions> options)
    {
        var partner = context.Partner();
        return TypedResults.Ok(ReportCatalogResponse.From(ReportCatalog.All.Where(report => partner.AllowsReport(report.Id)), format => partner.AllowsFormat(ReportFormats.Name(format)), options.Value.MaxPeriodDays));
    }

    internal static async Task<Results<PushStreamHttpResult, ValidationProblem, ProblemHttpResult>> DownloadReport(
        string report,
        HttpContext context,
        ReportReader reader,
        ReportRenderers renderers,
        IOptions<ReportsOptions> options)
    {
        if (ReportCatalog.Find(report) is not { } definition)
        {
            return ProblemResults.UnknownReport(report);
        }

        var (request, errors) = ReportRequest.Parse(definition, context.Request.Query, options.Value.MaxPeriodDays);
        if (request is null)
        {
            return ProblemResults.InvalidParameters(errors);
        }

        var partner = context.Partner();
        if (partner.Disallows(definition.Id, ReportFormats.Name(request.Format)) is { } refusal)
        {
            return refusal.ToProblem();
        }

        // The query runs before the response starts, so an unreachable database is still a clean 503.
        var rows = await reader.OpenAsync(request, partner.Id, context.RequestAborted);
        context.Response.RegisterForDisposeAsync(rows);
        var renderer = renderers.For(request.Format);
        return TypedResults.Stream(
            output => rows.RenderAsync(renderer, output, context.RequestAborted),
            ReportFormats.ContentType(request.Format),
            request.FileName());
    }
}
