using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using ReportingApi.Partners;
using ReportingApi.Problems;
using ReportingApi.Security;

namespace ReportingApi.Inbound;

/// <summary>An inbound file's status as partners and operators read it. Object keys of the archive, raw and quarantine copies are for operators only.</summary>
public sealed record InboundFileResponse(
    string Id,
    int PartnerId,
    string FileName,
    string Status,
    string? Rejection,
    string? Reason,
    long? UploadedBytes,
    long? ClearBytes,
    string? ClearSha256,
    string? SignerKeyId,
    string? SignerFingerprint,
    DateTimeOffset ReceivedAt,
    DateTimeOffset? VerifiedAt,
    DateTimeOffset? StoredAt,
    DateTimeOffset? RejectedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] InboundFileKeys? Keys = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] InboundFileProcessing? Processing = null)
{
    /// <param name="forOperators">With the object keys and the processing state, which partners do not see.</param>
    public static InboundFileResponse From(InboundFile file, bool forOperators = false) => new(
        file.Id, file.PartnerId, file.FileName, file.Status, file.Rejection is { } rejection ? RejectionName(rejection) : null, file.Reason,
        file.UploadedBytes, file.ClearBytes, file.ClearSha256, file.SignerKeyId, file.SignerFingerprint,
        file.ReceivedAt, file.VerifiedAt, file.StoredAt, file.RejectedAt,
        forOperators ? new InboundFileKeys(file.ObjectKey, file.ArchiveKey, file.StoredKey, file.QuarantineKey) : null,
        forOperators ? new InboundFileProcessing(file.Attempts, file.IsFinished ? null : file.LeaseUntil, file.LastFailure) : null);

    /// <summary><c>DecryptFailed</c> → <c>decrypt-failed</c>.</summary>
    public static string RejectionName(InboundRejection rejection) =>
        string.Concat(rejection.ToString().Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}

/// <summary>Where the upload was and where its copies are (operators).</summary>
public sealed record InboundFileKeys(string Upload, string? Archive, string? Stored, string? Quarantine);

/// <summary>How processing went (operators).</summary>
/// <param name="Attempts">Attempts begun: each lease of the file, finished or not.</param>
/// <param name="NotBefore">An unfinished file is not taken again before this: a processor holds it, or it rests after a failed attempt. Null or past: it is taken at the next sweep or tick.</param>
/// <param name="LastFailure">Why the last failed attempt failed, if one did.</param>
public sealed record InboundFileProcessing(int Attempts, DateTimeOffset? NotBefore, string? LastFailure);

/// <summary>
/// Inbound file status: partners read their own (scope <c>reports/deliver</c>, the scope that already lets them exchange
/// files with us), operators every partner's under <c>/v1/admin/inbound-files</c> (scope <c>reports/admin</c>).
/// </summary>
public static class InboundFilesApi
{
    private const int MaxLimit = 500;
    private const int DefaultLimit = 100;

    public static IEndpointRouteBuilder MapInboundFilesApi(this IEndpointRouteBuilder app)
    {
        var partner = app.MapSecuredGroup("/v1/inbound-files", "Inbound files", Scopes.Deliver)
            .RequirePartner();
        partner.MapGet("/", ListOwnFiles).WithName("ListInboundFiles")
            .WithSummary("The files you uploaded over SFTP, newest first: received → verified → stored, or rejected with a reason")
            .ProducesValidationProblem();
        partner.MapGet("/{id}", GetOwnFile).WithName("GetInboundFile").WithSummary("One file you uploaded").ProducesProblem(StatusCodes.Status404NotFound);

        var admin = app.MapSecuredGroup("/v1/admin/inbound-files", "Inbound files", Scopes.Admin);
        admin.MapGet("/", ListFiles).WithName("AdminListInboundFiles").WithSummary("Every partner's uploads, newest first, with their object keys and how processing went").ProducesValidationProblem();
        admin.MapGet("/{id}", GetFile).WithName("AdminGetInboundFile").WithSummary("One upload, with its object keys and how processing went").ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    internal static Task<Results<Ok<IReadOnlyList<InboundFileResponse>>, ValidationProblem>> ListOwnFiles(
        HttpContext context, InboundFileStore store, string? status = null, int? limit = null) =>
        ListAsync(store, context.Partner().Id, status, limit, forOperators: false, context.RequestAborted);

    internal static async Task<Results<Ok<InboundFileResponse>, ProblemHttpResult>> GetOwnFile(string id, HttpContext context, InboundFileStore store) =>
        await store.FindAsync(id, context.Partner().Id, context.RequestAborted) is { } file ? TypedResults.Ok(InboundFileResponse.From(file)) : FileNotFound(id);

    internal static Task<Results<Ok<IReadOnlyList<InboundFileResponse>>, ValidationProblem>> ListFiles(
        HttpContext context, InboundFileStore store, int? partnerId = null, string? status = null, int? limit = null) =>
        ListAsync(store, partnerId, status, limit, forOperators: true, context.RequestAborted);

    internal static async Task<Results<Ok<InboundFileResponse>, ProblemHttpResult>> GetFile(string id, HttpContext context, InboundFileStore store) =>
        await store.FindAsync(id, null, context.RequestAborted) is { } file ? TypedResults.Ok(InboundFileResponse.From(file, forOperators: true)) : FileNotFound(id);

    private static async Task<Results<Ok<IReadOnlyList<InboundFileResponse>>, ValidationProblem>> ListAsync(
        InboundFileStore store, int? partnerId, string? status, int? limit, bool forOperators, CancellationToken cancellationToken)
    {
        string[] statuses = [InboundFileStatus.Received, InboundFileStatus.Verified, InboundFileStatus.Stored, InboundFileStatus.Rejected];
        var errors = new Dictionary<string, string[]>();
        if (status is not null && !statuses.Contains(status, StringComparer.Ordinal))
        {
            errors["status"] = [$"'{status}' is not an inbound file status. Use one of: {string.Join(", ", statuses)}."];
        }

        if (limit is < 1 or > MaxLimit)
        {
            errors["limit"] = [$"'limit' is 1 to {MaxLimit}."];
        }

        if (errors.Count > 0)
        {
            return ProblemResults.InvalidParameters(errors);
        }

        var files = await store.ListAsync(partnerId, status, limit ?? DefaultLimit, cancellationToken);
        return TypedResults.Ok<IReadOnlyList<InboundFileResponse>>([.. files.Select(file => InboundFileResponse.From(file, forOperators))]);
    }

    private static ProblemHttpResult FileNotFound(string id) => TypedResults.Problem(
        type: ProblemTypes.InboundFileNotFound, title: "Inbound file not found", detail: $"There is no inbound file '{id}' of yours.", statusCode: StatusCodes.Status404NotFound);
}
