using Microsoft.AspNetCore.Http.HttpResults;
using ReportingApi.Audit;
using ReportingApi.Inbound;
using ReportingApi.Partners;
using ReportingApi.Problems;
using ReportingApi.Security;

namespace ReportingApi.PartnerAdmin;

/// <summary>What a partner may upload: <c>signature</c> is <c>required</c>, <c>if-signed</c> (the default) or <c>none</c>.</summary>
/// <param name="MaxBytes">Largest upload accepted; null: the service's limit (Inbound:MaxBytes).</param>
public sealed record InboundPolicyDto(string? Signature, bool? AllowPlaintext, long? MaxBytes)
{
    private static readonly Dictionary<string, SignaturePolicy> Names = new(StringComparer.Ordinal)
    {
        ["required"] = SignaturePolicy.Required,
        ["if-signed"] = SignaturePolicy.IfSigned,
        ["none"] = SignaturePolicy.None,
    };

    public static InboundPolicyDto From(InboundPolicy policy) =>
        new(Names.Single(pair => pair.Value == policy.Signature).Key, policy.AllowPlaintext, policy.MaxBytes);

    public (InboundPolicy? Policy, Dictionary<string, string[]> Errors) Validate()
    {
        var errors = new Dictionary<string, string[]>();
        var signature = SignaturePolicy.IfSigned;
        if (Signature is not null && !Names.TryGetValue(Signature, out signature))
        {
            errors["signature"] = [$"'signature' is one of: {string.Join(", ", Names.Keys)}."];
        }

        if (MaxBytes is <= 0)
        {
            errors["maxBytes"] = ["'maxBytes' is a positive number of bytes, or null for the service's limit."];
        }

        return errors.Count > 0 ? (null, errors) : (new InboundPolicy(signature, AllowPlaintext ?? false, MaxBytes), errors);
    }
}

/// <summary>Operators set what a partner may upload over SFTP (scope reports/admin).</summary>
public static class PartnerInboundPolicyApi
{
    public static RouteGroupBuilder MapPartnerInboundPolicyApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapSecuredGroup("/v1/admin/partners/{id:int}/inbound-policy", "Partner administration", Scopes.Admin)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/", GetPolicy).WithName("GetPartnerInboundPolicy").WithSummary("What the partner may upload (defaults until set)");
        group.MapPut("/", PutPolicy).WithName("PutPartnerInboundPolicy")
            .WithSummary("Set the partner's signature policy (required | if-signed | none), whether plaintext is accepted, and its size limit")
            .ProducesValidationProblem();
        return group;
    }

    internal static async Task<Results<Ok<InboundPolicyDto>, ProblemHttpResult>> GetPolicy(int id, PartnerStore store, InboundPartners partners, CancellationToken cancellationToken) =>
        await store.FindAsync(id, cancellationToken) is null
            ? PartnersAdminApi.PartnerNotFound(id)
            : TypedResults.Ok(InboundPolicyDto.From(await partners.GetPolicyAsync(id, cancellationToken)));

    internal static async Task<Results<Ok<InboundPolicyDto>, ValidationProblem, ProblemHttpResult>> PutPolicy(
        int id, InboundPolicyDto request, HttpContext context, PartnerStore store, InboundPartners partners, AuditTrail audit, CancellationToken cancellationToken)
    {
        if (await store.FindAsync(id, cancellationToken) is null)
        {
            return PartnersAdminApi.PartnerNotFound(id);
        }

        var (policy, errors) = request.Validate();
        if (policy is null)
        {
            return ProblemResults.InvalidParameters(errors);
        }

        var before = InboundPolicyDto.From(await partners.GetPolicyAsync(id, cancellationToken));
        await partners.SetPolicyAsync(id, policy, cancellationToken);
        var after = InboundPolicyDto.From(policy);
        await audit.RecordAsync(context, AuditActions.InboundPolicyChanged, id, null, before, after, cancellationToken);
        return TypedResults.Ok(after);
    }
}
