using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ReportingApi.Delivery;
using ReportingApi.Audit;
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
        var cacheSeconds = app.ServiceProvider.GetRequiredService<IOptions<PartnersOptions>>().Value.RegistryCacheSeconds;
        var takesEffect =
            $"A partner's settings (active, employers, IP allowlist, allowed reports and formats) are cached for {cacheSeconds} s " +
            $"({PartnersOptions.Section}:{nameof(PartnersOptions.RegistryCacheSeconds)}): a change applies at once on the instance that saved it and " +
            $"within {cacheSeconds} s on every other one, so a deactivated partner's requests and new runs are refused by then. " +
            "Its PGP key and delivery target are read at every run, so a change applies to the next run on every instance.";
        var group = app.MapSecuredGroup("/v1/admin/partners", "Partner administration", Scopes.Admin);

        group.MapGet("/", ListPartners).WithName("ListPartners").WithSummary("All partners");
        group.MapGet("/{id:int}", GetPartner).WithName("GetPartner").WithSummary("One partner").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/", CreatePartner).WithName("CreatePartner").WithSummary("Onboard a partner")
            .Produces<PartnerResponse>(StatusCodes.Status201Created).ProducesValidationProblem();
        group.MapPut("/{id:int}", UpdatePartner).WithName("UpdatePartner").WithSummary("Replace a partner's name, client, employers, allowlist and allowed reports/formats")
            .WithDescription(takesEffect)
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id:int}/pgp-key", GetPgpKey).WithName("GetPartnerPgpKey")
            .WithSummary("The partner's stored OpenPGP public key, as PUT takes it back")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapPut("/{id:int}/pgp-key", SetPgpKey).WithName("SetPartnerPgpKey")
            .WithSummary("Set the partner's OpenPGP public key; it is checked at once")
            .WithDescription("Send the output of `gpg --armor --export KEYID`. Accepted: OpenPGP v4 keys with an encryption subkey, of these kinds: " +
                "Ed25519 with a Cv25519 (X25519) subkey (`gpg --quick-gen-key NAME future-default`, gpg 2.3+'s default); " +
                "NIST P-256, P-384 or P-521 (ECDSA with an ECDH subkey: `gpg --quick-gen-key NAME nistp256`, then `gpg --quick-add-key FINGERPRINT nistp256 encr`); " +
                "RSA of at least 2048 bits (rsa3072 or rsa4096 recommended). Files are encrypted to the newest usable encryption subkey. " +
                "Refused with 422 `invalid-pgp-key` and a `reason`, the `detail` saying what to send instead: `Expired`, `Revoked`, `NoEncryptionKey` (a sign-only key), " +
                "`WeakKey` (RSA below 2048 bits), `UnsupportedAlgorithm` (named: DSA, ElGamal, Brainpool or secp256k1 curves, Ed448, v5/v6 keys, ...), " +
                "`InvalidSelfSignature`, `SecretKey`, `NotASingleKey`, `Unparseable`. A refused key changes nothing. " + takesEffect)
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapPut("/{id:int}/delivery", SetDelivery).WithName("SetPartnerDelivery").WithSummary("Set where the partner's files are delivered")
            .WithDescription(DeliveryDescription + " " + takesEffect)
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id:int}/delivery/test", TestDelivery).WithName("TestPartnerDelivery")
            .WithSummary("Try the partner's delivery target without delivering: each check ok, failed (with the reason) or skipped")
            .WithDescription("Sftp: dns, tcp-connect, host-key (the pinned one), login, remote-directory-writable. " +
                "AwsConnector: test-connection (Transfer Family's TestConnection), staging-prefix-writable. Folder: folder-writable. " +
                "A write check writes a probe file as .part, renames and removes it (the staging check writes and removes an object), and removes it also when a step fails. " +
                "After a failed check the later ones are skipped.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    internal static async Task<Results<Ok<DeliveryTestResponse>, ProblemHttpResult>> TestDelivery(int id, PartnerStore store, DeliveryProbes probes, CancellationToken cancellationToken)
    {
        if (await store.FindAsync(id, cancellationToken) is not { } partner)
        {
            return PartnerNotFound(id);
        }

        if (partner.Delivery is not { } target)
        {
            return TypedResults.Problem(
                type: ProblemTypes.PartnerNotConfigured, title: "No delivery target", detail: $"Partner {id} has no delivery target to test.", statusCode: StatusCodes.Status409Conflict);
        }

        var checks = await probes.For(target.Kind).ProbeAsync(target, cancellationToken);
        return TypedResults.Ok(new DeliveryTestResponse(checks.All(check => check.Outcome == DeliveryCheckOutcome.Ok), target.Kind, checks));
    }

    internal static async Task<Ok<IReadOnlyList<PartnerResponse>>> ListPartners(PartnerStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok<IReadOnlyList<PartnerResponse>>([.. (await store.ListAsync(cancellationToken)).Select(PartnerResponse.From)]);

    internal static async Task<Results<Ok<PartnerResponse>, ProblemHttpResult>> GetPartner(int id, PartnerStore store, CancellationToken cancellationToken) =>
        await store.FindAsync(id, cancellationToken) is { } partner ? TypedResults.Ok(PartnerResponse.From(partner)) : PartnerProblems.NotFound(id);

    internal static async Task<Results<Created<PartnerResponse>, ValidationProblem>> CreatePartner(
        PartnerRequest request, HttpContext context, PartnerStore store, AuditTrail audit, CancellationToken cancellationToken)
    {
        var errors = await ValidateAsync(request, null, store, cancellationToken);
        if (errors.Count > 0)
        {
            return ProblemResults.InvalidParameters(errors);
        }

        var id = await store.SaveAsync(null, request.ToSettings(), cancellationToken);
        var created = await FindAsync(store, id, cancellationToken);
        await audit.RecordAsync(context, AuditActions.PartnerCreated, id, null, null, created, cancellationToken);
        return TypedResults.Created($"/v1/admin/partners/{id}", created);
    }

    internal static async Task<Results<Ok<PartnerResponse>, ValidationProblem, ProblemHttpResult>> UpdatePartner(
        int id, PartnerRequest request, HttpContext context, PartnerStore store, AuditTrail audit, CancellationToken cancellationToken)
    {
        if (await store.FindAsync(id, cancellationToken) is not { } before)
        {
            return PartnerProblems.NotFound(id);
        }

        var errors = await ValidateAsync(request, id, store, cancellationToken);
        if (errors.Count > 0)
        {
            return ProblemResults.InvalidParameters(errors);
        }

        await store.SaveAsync(id, request.ToSettings(), cancellationToken);
        var after = await FindAsync(store, id, cancellationToken);
        var action = (before.Settings.Active, after.Active) switch
        {
            (false, true) => AuditActions.PartnerActivated,
            (true, false) => AuditActions.PartnerDeactivated,
            _ => AuditActions.PartnerChanged,
        };
        await audit.RecordAsync(context, action, id, null, PartnerResponse.From(before), after, cancellationToken);
        return TypedResults.Ok(after);
    }

    internal static async Task<Results<Ok<PgpKeyResponse>, ValidationProblem, ProblemHttpResult>> SetPgpKey(
        int id, PgpKeyRequest request, HttpContext context, PartnerStore store, PgpKeyValidator validator, AuditTrail audit, CancellationToken cancellationToken)
    {
        if (await store.FindAsync(id, cancellationToken) is not { } before)
        {
            return PartnerProblems.NotFound(id);
        }

        if (string.IsNullOrWhiteSpace(request.ArmoredPublicKey))
        {
            return ProblemResults.InvalidParameters(new Dictionary<string, string[]> { ["armoredPublicKey"] = ["'armoredPublicKey' is required: the output of gpg --armor --export KEYID."] });
        }

        var result = validator.Validate(request.ArmoredPublicKey);
        if (!result.IsValid)
        {
            return InvalidPgpKey(result.Rejection);
        }

        var key = result.Key;
        await store.SetPgpKeyAsync(id, key.ArmoredPublicKey, key.Fingerprint, cancellationToken);
        await audit.RecordAsync(context, AuditActions.PgpKeySet, id, null, PartnerResponse.From(before), await FindAsync(store, id, cancellationToken), cancellationToken);
        return TypedResults.Ok(PgpKeyResponse.From(key));
    }

    /// <summary>The stored key, checked again: one that has expired or been found unusable since it was set is a 422 saying why.</summary>
    internal static async Task<Results<Ok<PgpKeyResponse>, ProblemHttpResult>> GetPgpKey(int id, PartnerStore store, PgpKeyValidator validator, CancellationToken cancellationToken)
    {
        if (await store.FindAsync(id, cancellationToken) is null)
        {
            return PartnerNotFound(id);
        }

        if ((await store.GetAsync(id, cancellationToken)).PgpPublicKey is not { } armored)
        {
            return TypedResults.Problem(
                type: ProblemTypes.PartnerNotConfigured, title: "No PGP key", detail: $"Partner {id} has no PGP public key yet.", statusCode: StatusCodes.Status409Conflict);
        }

        var result = validator.Validate(armored);
        return result.IsValid ? TypedResults.Ok(PgpKeyResponse.From(result.Key)) : InvalidPgpKey(result.Rejection);
    }

    internal static async Task<Results<Ok<PartnerResponse>, ValidationProblem, ProblemHttpResult>> SetDelivery(
        int id, DeliveryRequest request, HttpContext context, PartnerStore store, SecretReferences secrets, AuditTrail audit, CancellationToken cancellationToken)
    {
        if (await store.FindAsync(id, cancellationToken) is not { } before)
        {
            return PartnerProblems.NotFound(id);
        }

        var (target, errors) = request.Validate(secrets.Provider);
        if (target is null)
        {
            return ProblemResults.InvalidParameters(errors);
        }

        await store.SetDeliveryAsync(id, target, cancellationToken);
        var after = await FindAsync(store, id, cancellationToken);
        await audit.RecordAsync(context, AuditActions.DeliverySet, id, null, PartnerResponse.From(before), after, cancellationToken);
        return TypedResults.Ok(after);
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

    private static ProblemHttpResult InvalidPgpKey(PgpKeyRejection rejection) => TypedResults.Problem(
        type: ProblemTypes.InvalidPgpKey,
        title: "PGP key not usable",
        detail: rejection.Message,
        statusCode: StatusCodes.Status422UnprocessableEntity,
        extensions: new Dictionary<string, object?> { ["reason"] = rejection.Reason.ToString() });

    internal static ProblemHttpResult PartnerNotFound(int id) => TypedResults.Problem(
        type: ProblemTypes.PartnerNotFound, title: "Partner not found", detail: $"There is no partner {id}.", statusCode: StatusCodes.Status404NotFound);
}
