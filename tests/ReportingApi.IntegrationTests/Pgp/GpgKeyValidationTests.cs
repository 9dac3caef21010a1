using ReportingApi.Pgp;

namespace ReportingApi.IntegrationTests.Pgp;

/// <summary>Partner keys made by real gpg, each kind of key giving its own answer.</summary>
public sealed class GpgKeyValidationTests : IDisposable
{
    private const string LongAgo = "20200101T000000";
    private readonly GnuPgHome _gpg = new();
    private readonly PgpKeyValidator _validator = new(TimeProvider.System);

    public void Dispose() => _gpg.Dispose();

    [Theory]
    [InlineData("rsa2048", "RSA", 2048, "RSA", 2048)]
    [InlineData("rsa3072", "RSA", 3072, "RSA", 3072)]
    [InlineData("rsa4096", "RSA", 4096, "RSA", 4096)]
    [InlineData("nistp256", "ECDSA P-256", 256, "ECDH P-256", 256)]
    [InlineData("nistp384", "ECDSA P-384", 384, "ECDH P-384", 384)]
    [InlineData("nistp521", "ECDSA P-521", 521, "ECDH P-521", 521)]
    [InlineData(GnuPgHome.FutureDefault, "EdDSA Ed25519", 255, "ECDH Curve25519", 255)]
    public void Every_accepted_kind_of_key_is_accepted_and_files_go_to_its_encryption_subkey(
        string algorithm, string primaryAlgorithm, int primaryBits, string encryptionAlgorithm, int encryptionBits)
    {
        var fingerprint = _gpg.GenerateKeyWithEncryptionSubkey($"Partner {algorithm} <{algorithm}@partner.test>", algorithm, expire: "2y");

        var result = _validator.Validate(_gpg.ExportPublicKey(fingerprint));

        Assert.True(result.IsValid, result.Rejection?.Message);
        var subkeyFingerprint = Assert.Single(_gpg.Fingerprints(fingerprint).Skip(1));
        Assert.Equal(fingerprint, result.Key.Fingerprint);
        Assert.Equal(fingerprint[^16..], result.Key.PrimaryKey.KeyId);
        // The primary key could encrypt as far as RSA goes; its flags (sign, certify) say it must not.
        Assert.Equal(subkeyFingerprint, result.Key.EncryptionKey.Fingerprint);
        Assert.Equal((primaryAlgorithm, primaryBits), (result.Key.PrimaryKey.Algorithm, result.Key.PrimaryKey.Bits));
        Assert.Equal((encryptionAlgorithm, encryptionBits), (result.Key.EncryptionKey.Algorithm, result.Key.EncryptionKey.Bits));
        Assert.InRange(result.Key.ExpiresAt!.Value - DateTimeOffset.UtcNow, TimeSpan.FromDays(720), TimeSpan.FromDays(732));
        Assert.Equal([$"Partner {algorithm} <{algorithm}@partner.test>"], result.Key.UserIds);
    }

    [Fact]
    public void An_encryption_subkey_that_expires_sooner_than_the_key_sets_when_the_key_expires()
    {
        var fingerprint = _gpg.GenerateKey("Acme Payroll <sftp@acme.test>", "rsa3072", "sign", "2y");
        _gpg.AddSubkey(fingerprint, "rsa3072", "encr", "1y");

        var result = _validator.Validate(_gpg.ExportPublicKey(fingerprint));

        Assert.True(result.IsValid, result.Rejection?.Message);
        Assert.InRange(result.Key.EncryptionKey.ExpiresAt!.Value - DateTimeOffset.UtcNow, TimeSpan.FromDays(360), TimeSpan.FromDays(367));
        Assert.Equal(result.Key.EncryptionKey.ExpiresAt, result.Key.ExpiresAt);
    }

    [Fact]
    public void An_rsa1024_key_is_too_weak()
    {
        var fingerprint = _gpg.GenerateKeyWithEncryptionSubkey("Weak <weak@partner.test>", "rsa1024");

        var rejection = Rejection(fingerprint);

        Assert.Equal(PgpKeyRejectionReason.WeakKey, rejection.Reason);
        Assert.Contains("1024", rejection.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("brainpoolP256r1", "the key cannot be used: its primary key uses ECDSA brainpoolP256r1")]
    [InlineData("secp256k1", "the key cannot be used: its primary key uses ECDSA secp256k1")]
    [InlineData("dsa2048", "the key cannot be used: its primary key uses DSA")]
    public void A_key_of_an_algorithm_we_cannot_use_is_refused_naming_it_and_what_we_accept(string algorithm, string expected)
    {
        var fingerprint = _gpg.GenerateKey($"Odd <{algorithm}@partner.test>", algorithm, "sign", "never");

        var rejection = Rejection(fingerprint);

        Assert.Equal(PgpKeyRejectionReason.UnsupportedAlgorithm, rejection.Reason);
        Assert.Contains(expected, rejection.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(PgpKeyValidator.AcceptedKinds, rejection.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_ed25519_key_whose_only_encryption_subkey_is_on_a_curve_we_cannot_use_is_refused_naming_the_subkey()
    {
        var fingerprint = _gpg.GenerateKey("Mixed <mixed@partner.test>", "ed25519", "sign", "never");
        _gpg.AddSubkey(fingerprint, "brainpoolP256r1", "encr", "never");
        var subkey = _gpg.Fingerprints(fingerprint)[1];

        var rejection = Rejection(fingerprint);

        Assert.Equal(PgpKeyRejectionReason.UnsupportedAlgorithm, rejection.Reason);
        Assert.Contains($"its encryption subkey {subkey[^16..]} uses ECDH brainpoolP256r1", rejection.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rsa2048")]
    [InlineData("nistp256")]
    [InlineData(GnuPgHome.FutureDefault)]
    public void A_key_that_expired_is_rejected_as_expired(string algorithm)
    {
        var fingerprint = _gpg.GenerateKeyWithEncryptionSubkey($"Expired <{algorithm}@partner.test>", algorithm, "1d", LongAgo);

        var rejection = Rejection(fingerprint);

        Assert.Equal(PgpKeyRejectionReason.Expired, rejection.Reason);
        Assert.Contains($"The key {fingerprint} expired on 2020-01-02", rejection.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_whose_only_encryption_subkey_expired_is_rejected_as_expired()
    {
        var fingerprint = _gpg.GenerateKey("Lapsed <lapsed@partner.test>", "ed25519", "sign", "never", LongAgo);
        _gpg.AddSubkey(fingerprint, "cv25519", "encr", "1d", LongAgo);

        var rejection = Rejection(fingerprint);

        Assert.Equal(PgpKeyRejectionReason.Expired, rejection.Reason);
        Assert.Contains("encryption subkey", rejection.Message, StringComparison.Ordinal);
        Assert.Contains("2020-01-02", rejection.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rsa2048")]
    [InlineData("nistp256")]
    [InlineData(GnuPgHome.FutureDefault)]
    public void A_key_with_its_revocation_certificate_imported_is_revoked(string algorithm)
    {
        var fingerprint = _gpg.GenerateKeyWithEncryptionSubkey($"Revoked <{algorithm}@partner.test>", algorithm);
        Assert.True(_validator.Validate(_gpg.ExportPublicKey(fingerprint)).IsValid);
        _gpg.Revoke(fingerprint);

        var rejection = Rejection(fingerprint);

        Assert.Equal(PgpKeyRejectionReason.Revoked, rejection.Reason);
        Assert.Contains($"The key {fingerprint} has been revoked", rejection.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rsa3072", "rsa3072")]
    [InlineData("rsa4096", "rsa4096")]
    [InlineData("nistp384", "nistp384")]
    [InlineData("ed25519", "cv25519")]
    public void A_sign_only_key_has_no_encryption_key_and_the_message_says_which_subkey_to_add(string algorithm, string subkeyAlgorithm)
    {
        // What gpg 2.2's `gpg --quick-gen-key NAME nistp384` (any algorithm but future-default) makes.
        var fingerprint = _gpg.GenerateKey($"Signer <{algorithm}@partner.test>", algorithm, "default", "never");

        var rejection = Rejection(fingerprint);

        Assert.Equal(PgpKeyRejectionReason.NoEncryptionKey, rejection.Reason);
        Assert.Contains($"gpg --quick-add-key FINGERPRINT {subkeyAlgorithm} encr", rejection.Message, StringComparison.Ordinal);
    }

    private PgpKeyRejection Rejection(string fingerprint)
    {
        var result = _validator.Validate(_gpg.ExportPublicKey(fingerprint));
        Assert.False(result.IsValid, "The key was accepted.");
        return result.Rejection;
    }
}
