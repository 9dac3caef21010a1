using Microsoft.AspNetCore.Http.HttpResults;
using ReportingApi.Problems;

namespace ReportingApi.Partners;

/// <summary>The problem details each partner refusal leaves the API as.</summary>
public static class PartnerProblems
{
    public static ProblemHttpResult ToProblem(this PartnerRefusal refusal) => refusal.Reason switch
    {
        PartnerRefusalReason.ReportNotAllowed => Problem(ProblemTypes.ReportNotAllowed, "Report not allowed", refusal, StatusCodes.Status403Forbidden),
        PartnerRefusalReason.FormatNotAllowed => Problem(ProblemTypes.ReportNotAllowed, "Format not allowed", refusal, StatusCodes.Status403Forbidden),
        _ => Problem(ProblemTypes.PartnerNotConfigured, "Delivery not set up", refusal, StatusCodes.Status409Conflict),
    };

    private static ProblemHttpResult Problem(string type, string title, PartnerRefusal refusal, int status) =>
        TypedResults.Problem(type: type, title: title, detail: refusal.Detail, statusCode: status);
}
