using Microsoft.AspNetCore.Http.HttpResults;

namespace ReportingApi.Problems;

/// <summary>Problem results for the endpoints.</summary>
public static class ProblemResults
{
    public static ProblemHttpResult UnknownReport(string report) => TypedResults.Problem(
        type: ProblemTypes.UnknownReport,
        title: "Unknown report",
        detail: $"There is no report '{report}'. GET /v1/reports lists the reports you may use.",
        statusCode: StatusCodes.Status404NotFound);

    public static ValidationProblem InvalidParameters(IDictionary<string, string[]> errors) => TypedResults.ValidationProblem(
        errors,
        type: ProblemTypes.InvalidParameters,
        title: "One or more parameters are invalid",
        detail: "See 'errors' for what is wrong with each parameter.");
}
