using ReportingApi.Pgp;

namespace ReportingApi.IntegrationTests.Pgp;

/// <summary>Partner keys made by real gpg, each kind of key giving its own answer.</summary>
public sealed class GpgKeyValidationTests : IDisposable
{
    private readonly GnuPgHome _gpg = new();
    private readonly PgpKeyValidator _validator = new(TimeProvider.System);

    public void Dispose() => _gpg.Dispose();

    [Fact]
    public void An_rsa3072_key_is_accepted_and_its_encryption_subkey_is_chosen_by_key_flags()
    {
        var fingerprint = _gpg.GenerateKey("Acme Payroll <sftp@acme.test>", "rsa3072", "sign", "2y");
        _gpg.AddSubkey(fingerprint, "rsa3072", "encr", "1y");

        var result = _validator.Validate(_gpg.ExportPublicKey(fingerprint));

        Assert.True(result.IsValid, result.Rejection?.Message);
        var subkeyFingerprint = Assert.Single(_gpg.Fingerprints(fingerprint).Skip(1));
        Assert.Equal(fingerprint, result.Key.Fingerprint);
        Assert.Equal(fingerprint[^16..], result.Key.PrimaryKey.KeyId);
        // The RSA primary key could encrypt as far as the algorithm goes; its flags (sign, certify) say it must not.
        Assert.Equal(subkeyFingerprint, result.Key.EncryptionKey.Fingerprint);
        Assert.Equal(("RSA", 3072), (result.Key.EncryptionKey.Algorithm, result.Key.EncryptionKey.Bits));
        Assert.Equal(("RSA", 3072), (result.Key.PrimaryKey.Algorithm, result.Key.PrimaryKey.Bits));
        Assert.InRange(result.Key.EncryptionKey.ExpiresAt!.Value - DateTimeOffset.UtcNow, TimeSpan.FromDays(360), TimeSpan.FromDays(367));
        Assert.Equal(result.Key.EncryptionKey.ExpiresAt, result.Key.ExpiresAt);
        Assert.Equal(["Acme Payroll <sftp@acme.test>"], result.Key.UserIds);
    }

    [Fact]
    public void An_rsa1024_key_is_too_weak()
    {
        var fingerprint = _gpg.GenerateKey("Weak <weak@partner.test>", "rsa1024", "sign", "never");
        _gpg.AddSubkey(fingerprint, "rsa1024", "encr", "never");

        var rejection = Rejection(fingerprint);

        Assert.Equal(PgpKeyRejectionReason.WeakKey, rejection.Reason);
        Assert.Contains("1024", rejection.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_ed25519_key_with_a_cv25519_subkey_is_unsupported_and_the_message_asks_for_rsa_3072()
    {
        var fingerprint = _gpg.GenerateKey("Modern <modern@partner.test>", "future-default", "default", "never");

        var rejection = Rejection(fingerprint);

        Assert.Equal(PgpKeyRejectionReason.UnsupportedAlgorithm, rejection.Reason);
        Assert.Contains("Ed25519", rejection.Message, StringComparison.Ordinal);
        Assert.Contains("RSA public key of at least 3072 bits", rejection.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_that_expired_is_rejected_as_expired()
    {
        const string longAgo = "20200101T000000";
        var fingerprint = _gpg.GenerateKey("Expired <old@partner.test>", "rsa2048", "sign", "1d", longAgo);
        _gpg.AddSubkey(fingerprint, "rsa2048", "encr", "1d", longAgo);

        var rejection = Rejection(fingerprint);

        Assert.Equal(PgpKeyRejectionReason.Expired, rejection.Reason);
        Assert.Contains("2020-01-02", rejection.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_whose_only_encryption_subkey_expired_is_rejected_as_expired()
    {
        const string longAgo = "20200101T000000";
        var fingerprint = _gpg.GenerateKey("Lapsed <lapsed@partner.test>", "rsa2048", "sign", "never", longAgo);
        _gpg.AddSubkey(fingerprint, "rsa2048", "encr", "1d", longAgo);

        var rejection = Rejection(fingerprint);

        Assert.Equal(PgpKeyRejectionReason.Expired, rejection.Reason);
        Assert.Contains("subkey", rejection.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_with_its_revocation_certificate_imported_is_revoked()
    {
        var fingerprint = _gpg.GenerateKey("Revoked <gone@partner.test>", "rsa2048", "sign", "never");
        _gpg.AddSubkey(fingerprint, "rsa2048", "encr", "never");
        Assert.True(_validator.Validate(_gpg.ExportPublicKey(fingerprint)).IsValid);
        // gpg stores a revocation certificate at key generation, its armor line disabled by a leading colon.
        var certificate = File.ReadAllText(Path.Combine(_gpg.Path, "openpgp-revocs.d", fingerprint + ".rev"))
            .Replace(":-----BEGIN PGP PUBLIC KEY BLOCK-----", "-----BEGIN PGP PUBLIC KEY BLOCK-----", StringComparison.Ordinal);
        _gpg.Import(certificate);

        var rejection = Rejection(fingerprint);

        Assert.Equal(PgpKeyRejectionReason.Revoked, rejection.Reason);
        Assert.Contains(fingerprint, rejection.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_sign_only_rsa_key_has_no_encryption_key()
    {
        var fingerprint = _gpg.GenerateKey("Signer <signer@partner.test>", "rsa3072", "sign", "never");

        var rejection = Rejection(fingerprint);

        Assert.Equal(PgpKeyRejectionReason.NoEncryptionKey, rejection.Reason);
    }

    private PgpKeyRejection Rejection(string fingerprint)
    {
        var result = _validator.Validate(_gpg.ExportPublicKey(fingerprint));
        Assert.False(result.IsValid, "The key was accepted.");
        return result.Rejection;
    }
}
