using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using ReportingApi.Data;

namespace ReportingApi.Problems;

/// <summary>
/// Turns exceptions into problem details: a malformed request into a 400, an unreachable database into a 503,
/// anything else into a 500 that says nothing about the internals (the log has the exception).
/// </summary>
public sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, type, title, detail) = exception switch
        {
            BadHttpRequestException bad => (bad.StatusCode, ProblemTypes.BadRequest, "Bad request", bad.Message),
            _ when DatabaseFailures.IsUnavailable(exception) => (StatusCodes.Status503ServiceUnavailable, ProblemTypes.ServiceUnavailable, "Service unavailable", "The report database cannot be reached right now. Try again in a minute."),
            _ => (StatusCodes.Status500InternalServerError, ProblemTypes.InternalError, "Internal error", "Something went wrong on our side. It has been logged; quote the traceId when you contact us."),
        };

        if (status >= 500)
        {
            logger.LogError(exception, "Request failed with {Status}", status);
        }

        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails { Status = status, Type = type, Title = title, Detail = detail },
        });
    }
}
