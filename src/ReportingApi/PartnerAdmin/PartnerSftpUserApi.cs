using Microsoft.AspNetCore.Http.HttpResults;
using ReportingApi.Audit;
using ReportingApi.Aws.Transfer;
using ReportingApi.Partners;
using ReportingApi.Problems;
using ReportingApi.Security;
using ReportingApi.SftpUsers;

namespace ReportingApi.PartnerAdmin;

/// <summary>The keys a partner's SFTP user logs in with: the whole list, one OpenSSH public key line each.</summary>
public sealed record SftpUserRequest(IReadOnlyList<string?>? PublicKeys);

/// <summary>A partner's SFTP user: its login, home and keys by fingerprint; after a put, also what changed.</summary>
public sealed record SftpUserResponse(
    string UserName,
    IReadOnlyList<SftpHomeDirectoryResponse> Home,
    IReadOnlyList<SftpUserKey> Keys,
    SftpUserChangeResponse? Change = null);

/// <summary>What the audit trail keeps of a partner's SFTP user: its name and its keys' fingerprints.</summary>
public sealed record SftpUserAuditState(string UserName, IReadOnlyList<string> KeyFingerprints);

public sealed record SftpHomeDirectoryResponse(string Path, string Access)
{
    public static SftpHomeDirectoryResponse From(SftpHomeDirectory directory) =>
        new(directory.Entry, directory.Access == SftpAccess.ReadWrite ? "read-write" : "read-only");
}

public sealed record SftpUserChangeResponse(bool Created, bool HomeUpdated, IReadOnlyList<string> KeysAdded, IReadOnlyList<string> KeysRemoved);

/// <summary>Operators put and read a partner's SFTP user (scope reports/admin) on the server partners upload to.</summary>
public static class PartnerSftpUserApi
{
    private const string PutDescription =
        """
        Send every key the user is to have (`publicKeys`: OpenSSH public key lines, e.g. the contents of `id_ed25519.pub`);
        keys not in the list are removed after the new ones are added, so a rotation sends the old and the new key, then
        the new one alone. Accepted: Ed25519, ECDSA (nistp256/384/521), RSA of at least 3072 bits; at most 10, no
        duplicates, no options, no certificates. Every key is checked before anything changes: a refused list gives 400
        `invalid-parameters` with the reason per line (`publicKeys[i]`). The user is `partner-{id}`; it sees `/inbound`
        (uploads, processed as inbound files) and `/reports` (its delivered files, read-only).
        """;

    public static RouteGroupBuilder MapPartnerSftpUserApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapSecuredGroup("/v1/admin/partners/{id:int}/sftp-user", "Partner administration", Scopes.Admin)
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPut("/", PutSftpUser).WithName("PutPartnerSftpUser")
            .WithSummary("Create or update the partner's SFTP user and its SSH keys").WithDescription(PutDescription)
            .ProducesValidationProblem();
        group.MapGet("/", GetSftpUser).WithName("GetPartnerSftpUser").WithSummary("The partner's SFTP user, its keys as fingerprints");
        return group;
    }

    internal static async Task<Results<Ok<SftpUserResponse>, ValidationProblem, ProblemHttpResult>> PutSftpUser(
        int id, SftpUserRequest request, HttpContext context, PartnerStore store, IPartnerSftpUsers users, AuditTrail audit, CancellationToken cancellationToken)
    {
        if (await store.FindAsync(id, cancellationToken) is null)
        {
            return PartnersAdminApi.PartnerNotFound(id);
        }

        var validation = SshKeyValidation.Of(request.PublicKeys ?? []);
        if (request.PublicKeys is not { Count: > 0 })
        {
            return ProblemResults.InvalidParameters(new Dictionary<string, string[]> { ["publicKeys"] = ["'publicKeys' is required: at least one OpenSSH public key line."] });
        }

        if (!validation.IsValid)
        {
            return ProblemResults.InvalidParameters(validation.Refusals
                .GroupBy(refusal => $"publicKeys[{refusal.Index}]")
                .ToDictionary(line => line.Key, line => line.Select(refusal => refusal.Message).ToArray()));
        }

        try
        {
            var user = new PartnerSftpUser(id, validation.Keys);
            var change = await users.PutAsync(user, cancellationToken);

            // The put reconciled the keys against what the server had, so its change tells the keys before and after.
            var before = change.Created ? null : new SftpUserAuditState(change.UserName, [.. change.KeysKept, .. change.KeysRemoved]);
            var after = new SftpUserAuditState(change.UserName, [.. change.KeysKept, .. change.KeysAdded]);
            await audit.RecordAsync(context, AuditActions.SftpUserChanged, id, change.UserName, before, after, cancellationToken);
            return TypedResults.Ok(new SftpUserResponse(
                change.UserName,
                [.. user.Home.Select(SftpHomeDirectoryResponse.From)],
                [.. validation.Keys.Select(SftpUserKey.Of)],
                new SftpUserChangeResponse(change.Created, change.HomeUpdated, change.KeysAdded, change.KeysRemoved)));
        }
        catch (TransferServiceException e)
        {
            return SftpServerUnavailable(e);
        }
    }

    internal static async Task<Results<Ok<SftpUserResponse>, ProblemHttpResult>> GetSftpUser(
        int id, PartnerStore store, IPartnerSftpUsers users, CancellationToken cancellationToken)
    {
        if (await store.FindAsync(id, cancellationToken) is null)
        {
            return PartnersAdminApi.PartnerNotFound(id);
        }

        try
        {
            return await users.GetAsync(id, cancellationToken) is { } user
                ? TypedResults.Ok(new SftpUserResponse(user.UserName, [.. user.Home.Select(SftpHomeDirectoryResponse.From)], user.Keys))
                : TypedResults.Problem(
                    type: ProblemTypes.NotFound,
                    title: "No SFTP user",
                    detail: $"Partner {id} has no SFTP user yet; PUT this address with its public keys to create one.",
                    statusCode: StatusCodes.Status404NotFound);
        }
        catch (TransferServiceException e)
        {
            return SftpServerUnavailable(e);
        }
    }

    /// <summary>The Transfer Family API failed or refused us (throttled, down, our role's permissions): nothing the request can fix.</summary>
    private static ProblemHttpResult SftpServerUnavailable(TransferServiceException e) => TypedResults.Problem(
        type: ProblemTypes.ServiceUnavailable,
        title: "SFTP server unavailable",
        detail: $"The SFTP server's API did not complete the call ({e.ErrorType}). Nothing was lost; try again in a minute.",
        statusCode: StatusCodes.Status503ServiceUnavailable);
}
