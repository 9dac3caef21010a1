using Microsoft.AspNetCore.Http.HttpResults;
using ReportingApi.Partners;
using ReportingApi.Pgp;
using ReportingApi.Problems;
using ReportingApi.Secrets;
using ReportingApi.Security;

namespace ReportingApi.PartnerAdmin;

/// <summary>Partner administration for operators (scope reports/admin): onboarding, employers, PGP key, delivery target, limits.</summary>
public static class PartnersAdminApi
{
    private const string DeliveryDescription =
        """
        Sftp delivers straight to the partner's SFTP server. Its host key is pinned (never trusted on first use). The login
        is by private key (RSA, ECDSA or Ed25519, OpenSSH or PEM form, with an optional passphrase) and/or by password,
        given as references to secrets, never as the key or password itself: with Secrets Manager a secret's ARN or name,
        with local files a path relative to the secrets folder. A secret holds the value itself (a key; a password or
        passphrase on its first line) or JSON with "PrivateKey", "Passphrase" and "Password" fields, as an AWS Transfer
        Family connector's secret does. Secrets are read at each delivery, so a rotated secret takes effect; responses
        show the references only. 'privateKeyPath' (a key file path) is no longer accepted.
        """;

    public static RouteGroupBuilder MapPartnersAdminApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/admin/partners")
            .WithTags("Partner administration")
            .RequireAuthorization(Scopes.Admin)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapGet("/", ListPartners).WithName("ListPartners").WithSummary("All partners");
        group.MapGet("/{id:int}", GetPartner).WithName("GetPartner").WithSummary("One partner").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/", CreatePartner).WithName("CreatePartner").WithSummary("Onboard a partner")
            .Produces<PartnerResponse>(StatusCodes.Status201Created).ProducesValidationProblem();
        group.MapPut("/{id:int}", UpdatePartner).WithName("UpdatePartner").WithSummary("Replace a partner's name, client, employers, allowlist and allowed reports/formats")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("/{id:int}/pgp-key", SetPgpKey).WithName("SetPartnerPgpKey")
            .WithSummary("Set the partner's OpenPGP public key; it is checked at once")
            .WithDescription("Send the output of `gpg --armor --export KEYID`. Accepted: OpenPGP v4 keys with an encryption subkey, of these kinds: " +
                "Ed25519 with a Cv25519 (X25519) subkey (`gpg --quick-gen-key NAME future-default`, gpg 2.3+'s default); " +
                "NIST P-256, P-384 or P-521 (ECDSA with an ECDH subkey: `gpg --quick-gen-key NAME nistp256`, then `gpg --quick-add-key FINGERPRINT nistp256 encr`); " +
                "RSA of at least 2048 bits (rsa3072 or rsa4096 recommended). Files are encrypted to the newest usable encryption subkey. " +
                "Refused with 422 `invalid-pgp-key` and a `reason`, the `detail` saying what to send instead: `Expired`, `Revoked`, `NoEncryptionKey` (a sign-only key), " +
                "`WeakKey` (RSA below 2048 bits), `UnsupportedAlgorithm` (named: DSA, ElGamal, Brainpool or secp256k1 curves, Ed448, v5/v6 keys, ...), " +
                "`InvalidSelfSignature`, `SecretKey`, `NotASingleKey`, `Unparseable`. A refused key changes nothing.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapPut("/{id:int}/delivery", SetDelivery).WithName("SetPartnerDelivery").WithSummary("Set where the partner's files are delivered")
            .WithDescription(DeliveryDescription)
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    internal static async Task<Ok<IReadOnlyList<PartnerResponse>>> ListPartners(PartnerStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok<IReadOnlyList<PartnerResponse>>([.. (await store.ListAsync(cancellationToken)).Select(PartnerResponse.From)]);

    internal static async Task<Results<Ok<PartnerResponse>, ProblemHttpResult>> GetPartner(int id, PartnerStore store, CancellationToken cancellationToken) =>
        await store.FindAsync(id, cancellationToken) is { } partner ? TypedResults.Ok(PartnerResponse.From(partner)) : PartnerNotFound(id);

    internal static async Task<Results<Created<PartnerResponse>, ValidationProblem>> CreatePartner(PartnerRequest request, PartnerStore store, CancellationToken cancellationToken)
    {
        var errors = await ValidateAsync(request, null, store, cancellationToken);
        if (errors.Count > 0)
        {
            return ProblemResults.InvalidParameters(errors);
        }

        var id = await store.SaveAsync(null, request.ToSettings(), cancellationToken);
        return TypedResults.Created($"/v1/admin/partners/{id}", await FindAsync(store, id, cancellationToken));
    }

    internal static async Task<Results<Ok<PartnerResponse>, ValidationProblem, ProblemHttpResult>> UpdatePartner(
        int id, PartnerRequest request, PartnerStore store, CancellationToken cancellationToken)
    {
        if (await store.FindAsync(id, cancellationToken) is null)
        {
            return PartnerNotFound(id);
        }

        var errors = await ValidateAsync(request, id, store, cancellationToken);
        if (errors.Count > 0)
        {
            return ProblemResults.InvalidParameters(errors);
        }

        await store.SaveAsync(id, request.ToSettings(), cancellationToken);
        return TypedResults.Ok(await FindAsync(store, id, cancellationToken));
    }

    internal static async Task<Results<Ok<PgpKeyResponse>, ValidationProblem, ProblemHttpResult>> SetPgpKey(
        int id, PgpKeyRequest request, PartnerStore store, PgpKeyValidator validator, CancellationToken cancellationToken)
    {
        if (await store.FindAsync(id, cancellationToken) is null)
        {
            return PartnerNotFound(id);
        }

        if (string.IsNullOrWhiteSpace(request.ArmoredPublicKey))
        {
            return ProblemResults.InvalidParameters(new Dictionary<string, string[]> { ["armoredPublicKey"] = ["'armoredPublicKey' is required: the output of gpg --armor --export KEYID."] });
        }

        var result = validator.Validate(request.ArmoredPublicKey);
        if (!result.IsValid)
        {
            var problem = TypedResults.Problem(
                type: ProblemTypes.InvalidPgpKey,
                title: "PGP key not usable",
                detail: result.Rejection.Message,
                statusCode: StatusCodes.Status422UnprocessableEntity,
                extensions: new Dictionary<string, object?> { ["reason"] = result.Rejection.Reason.ToString() });
            return problem;
        }

        var key = result.Key;
        await store.SetPgpKeyAsync(id, key.ArmoredPublicKey, key.Fingerprint, cancellationToken);
        return TypedResults.Ok(new PgpKeyResponse(key.Fingerprint, key.PrimaryKey.KeyId, key.PrimaryKey.Algorithm, key.PrimaryKey.Bits, key.PrimaryKey.CreatedAt, key.ExpiresAt, key.UserIds));
    }

    internal static async Task<Results<Ok<PartnerResponse>, ValidationProblem, ProblemHttpResult>> SetDelivery(
        int id, DeliveryRequest request, PartnerStore store, SecretReferences secrets, CancellationToken cancellationToken)
    {
        if (await store.FindAsync(id, cancellationToken) is null)
        {
            return PartnerNotFound(id);
        }

        var (target, errors) = request.Validate(secrets.Provider);
        if (target is null)
        {
            return ProblemResults.InvalidParameters(errors);
        }

        await store.SetDeliveryAsync(id, target, cancellationToken);
        return TypedResults.Ok(await FindAsync(store, id, cancellationToken));
    }

    private static async Task<Dictionary<string, string[]>> ValidateAsync(PartnerRequest request, int? id, PartnerStore store, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (errors.Count > 0)
        {
            return errors;
        }

        var missing = await store.MissingEmployersAsync(request.EmployerIds ?? [], cancellationToken);
        if (missing.Count > 0)
        {
            errors["employerIds"] = [$"No such employers: {string.Join(", ", missing)}."];
        }

        if (await store.ClientIdTakenAsync(request.ClientId!, id, cancellationToken))
        {
            errors["clientId"] = [$"Another partner already uses client id '{request.ClientId}'."];
        }

        return errors;
    }

    /// <summary>The partner just written.</summary>
    private static async Task<PartnerResponse> FindAsync(PartnerStore store, int id, CancellationToken cancellationToken) =>
        PartnerResponse.From((await store.FindAsync(id, cancellationToken))!);

    internal static ProblemHttpResult PartnerNotFound(int id) => TypedResults.Problem(
        type: ProblemTypes.PartnerNotFound, title: "Partner not found", detail: $"There is no partner {id}.", statusCode: StatusCodes.Status404NotFound);
}
