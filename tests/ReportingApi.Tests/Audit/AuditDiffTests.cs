using System.Net;
using System.Security.Claims;
using System.Text.Json.Nodes;
using ReportingApi.Audit;
using ReportingApi.Webhooks;

namespace ReportingApi.Tests.Audit;

public sealed class AuditDiffTests
{
    private const string ArmoredKey = "-----BEGIN PGP PUBLIC KEY BLOCK-----\nmDMEZ...old...\n-----END PGP PUBLIC KEY BLOCK-----";
    private const string NewArmoredKey = "-----BEGIN PGP PUBLIC KEY BLOCK-----\nmDMEZ...new...\n-----END PGP PUBLIC KEY BLOCK-----";

    private static readonly Dictionary<string, AuditRedaction> Redactions = new()
    {
        ["password"] = AuditRedaction.Secret,
        ["armoredPublicKey"] = AuditRedaction.Fingerprint,
    };

    private static readonly PartnerState Before = new(
        "Acme Payroll",
        true,
        [1, 2],
        new Delivery(TargetKind.Sftp, "sftp.acme.example", 22, "acme", "hunter2", "secrets/acme-sftp-key"),
        ArmoredKey,
        [new Login("api", "pw-one")]);

    [Fact]
    public void Only_changed_values_are_listed_by_dotted_path_with_arrays_whole_and_enums_by_name()
    {
        var after = Before with
        {
            Active = false,
            EmployerIds = [1, 2, 3],
            Delivery = Before.Delivery! with { Kind = TargetKind.AwsConnector, Host = "sftp2.acme.example" },
        };

        var changes = AuditDiff.Compute(Before, after, Redactions);

        Assert.Equal(["active", "employerIds", "delivery.kind", "delivery.host"], changes.Select(c => c.Path));
        Assert.Equal("true", changes[0].Before!.ToJsonString());
        Assert.Equal("false", changes[0].After!.ToJsonString());
        Assert.Equal("[1,2]", changes[1].Before!.ToJsonString());
        Assert.Equal("[1,2,3]", changes[1].After!.ToJsonString());
        Assert.Equal("\"Sftp\"", changes[2].Before!.ToJsonString());
        Assert.Equal("\"AwsConnector\"", changes[2].After!.ToJsonString());
    }

    [Fact]
    public void No_change_gives_no_entries_and_an_unchanged_secret_is_not_mentioned()
    {
        // A new list with the same items: compared by value, not by reference.
        Assert.Empty(AuditDiff.Compute(Before, Before with { EmployerIds = [1, 2] }, Redactions));
    }

    [Fact]
    public void A_changed_secret_shows_as_changed_but_never_its_value_and_key_material_as_fingerprints()
    {
        var after = Before with
        {
            Delivery = Before.Delivery! with { Password = "correct horse" },
            ArmoredPublicKey = NewArmoredKey,
            Logins = [new Login("api", "pw-two")],
        };

        var changes = AuditDiff.Compute(Before, after, Redactions);
        var stored = new AuditEntry(DateTimeOffset.UtcNow, new AuditActor("ops-console", "ops-console", "203.0.113.9"), AuditActions.DeliverySet, 7, null, changes).ChangesJson();

        Assert.Equal(["delivery.password", "armoredPublicKey", "logins"], changes.Select(c => c.Path));
        Assert.Equal(AuditDiff.Redacted, changes[0].Before!.GetValue<string>());
        Assert.Equal(AuditDiff.Redacted, changes[0].After!.GetValue<string>());
        Assert.Equal(AuditFingerprint.Of(ArmoredKey), changes[1].Before!.GetValue<string>());
        Assert.NotEqual(changes[1].Before!.GetValue<string>(), changes[1].After!.GetValue<string>());
        Assert.Equal("""[{"user":"api","password":"[redacted]"}]""", changes[2].After!.ToJsonString());
        foreach (var leaked in new[] { "hunter2", "correct horse", "pw-one", "pw-two", "mDMEZ" })
        {
            Assert.DoesNotContain(leaked, stored, StringComparison.Ordinal);
        }

        Assert.Contains("\"path\":\"delivery.password\"", stored, StringComparison.Ordinal);
    }

    [Fact]
    public void A_secret_reference_is_not_a_secret_and_is_shown()
    {
        var changes = AuditDiff.Compute(Before, Before with { Delivery = Before.Delivery! with { PrivateKeySecret = "secrets/acme-sftp-key-2026" } }, Redactions);

        var change = Assert.Single(changes);
        Assert.Equal("delivery.privateKeySecret", change.Path);
        Assert.Equal("secrets/acme-sftp-key-2026", change.After!.GetValue<string>());
    }

    [Fact]
    public void A_creation_lists_every_field_with_nothing_before_and_redacts_the_same_way()
    {
        var changes = AuditDiff.Compute(null, Before, Redactions);

        Assert.Equal(
            ["name", "active", "employerIds", "delivery.kind", "delivery.host", "delivery.port", "delivery.user", "delivery.password", "delivery.privateKeySecret", "armoredPublicKey", "logins"],
            changes.Select(c => c.Path));
        Assert.All(changes, change => Assert.Null(change.Before));
        Assert.Equal(AuditDiff.Redacted, changes.Single(c => c.Path == "delivery.password").After!.GetValue<string>());
    }

    [Fact]
    public void A_removed_delivery_lists_its_fields_with_nothing_after()
    {
        var changes = AuditDiff.Compute(Before, Before with { Delivery = null }, Redactions);

        Assert.Equal(6, changes.Count);
        Assert.All(changes, change => Assert.StartsWith("delivery.", change.Path, StringComparison.Ordinal));
        Assert.All(changes, change => Assert.Null(change.After));
    }

    [Fact]
    public void A_fingerprint_is_the_start_of_the_values_SHA_256_and_names_a_webhook_secret_the_same_way()
    {
        // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad (FIPS 180-2, appendix B.1).
        Assert.Equal("sha256:ba7816bf8f01cfea", AuditFingerprint.Of("abc"));
        var secret = WebhookSecrets.Generate();
        Assert.Equal(AuditFingerprint.Of(secret), WebhookSecrets.Fingerprint(secret));
    }

    [Fact]
    public void Redaction_names_match_ignoring_case()
    {
        JsonNode before = new JsonObject { ["Password"] = "a" };
        JsonNode after = new JsonObject { ["Password"] = "b" };

        var change = Assert.Single(AuditDiff.Compute(before, after, Redactions));

        Assert.Equal(AuditDiff.Redacted, change.After!.GetValue<string>());
    }

    [Fact]
    public void The_actor_is_the_tokens_client_and_subject_and_the_callers_address()
    {
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim("client_id", "ops-console"), new Claim("sub", "ops-console-sub")], "Bearer"));

        var actor = AuditActor.From(user, IPAddress.Parse("203.0.113.9"));

        Assert.Equal(new AuditActor("ops-console", "ops-console-sub", "203.0.113.9"), actor);
        Assert.Throws<InvalidOperationException>(() => AuditActor.From(new ClaimsPrincipal(new ClaimsIdentity()), null));
    }

    private enum TargetKind
    {
        Folder,
        Sftp,
        AwsConnector,
    }

    private sealed record PartnerState(string Name, bool Active, IReadOnlyList<int> EmployerIds, Delivery? Delivery, string? ArmoredPublicKey, IReadOnlyList<Login> Logins);

    private sealed record Delivery(TargetKind Kind, string Host, int Port, string User, string? Password, string? PrivateKeySecret);

    private sealed record Login(string User, string Password);
}
