using ReportingApi.TestSupport;
using ReportingApi.Pgp;

namespace ReportingApi.IntegrationTests.Pgp;

/// <summary>Real gpg reads what we write, and we read what real gpg writes.</summary>
public sealed class GpgInteropTests : IDisposable
{
    private const int InputBytes = 6 * 1024 * 1024;
    private readonly GnuPgHome _gpg = new();

    public void Dispose() => _gpg.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Gpg_decrypts_our_file_and_verifies_our_signature(bool armor)
    {
        var input = _gpg.File("contracts_2026-01.csv");
        TestFiles.WriteReportLike(input, InputBytes);
        var encrypted = _gpg.File(armor ? "contracts.csv.asc" : "contracts.csv.pgp");
        await using (var plaintext = File.OpenRead(input))
        await using (var output = File.Create(encrypted))
        {
            var written = await TestPgpKeys.Encryptor().EncryptAsync(plaintext, output, TestPgpKeys.PartnerPublic, "contracts_2026-01.csv", armor);
            Assert.Equal(new FileInfo(input).Length, written);
        }

        Assert.Equal(armor, File.ReadAllText(encrypted)[..100].StartsWith("-----BEGIN PGP MESSAGE-----", StringComparison.Ordinal));
        _gpg.Import(TestPgpKeys.Partner.ArmoredSecretKey);
        _gpg.Import(TestPgpKeys.Company.ArmoredPublicKey);
        var decrypted = _gpg.File("decrypted.csv");
        var result = _gpg.Run("--pinentry-mode", "loopback", "--passphrase-file", _gpg.WritePassphraseFile(TestPgpKeys.PartnerPassphrase),
            "--output", decrypted, "--decrypt", encrypted);

        Assert.True(result.ExitCode == 0, result.Errors);
        Assert.True(result.HasStatus("DECRYPTION_OKAY"), result.Errors);
        Assert.True(result.HasStatus("GOODMDC"), result.Errors);
        Assert.False(result.HasStatus("BADMDC") || result.HasStatus("DECRYPTION_FAILED") || result.HasStatus("BADSIG"), result.Errors);
        Assert.DoesNotContain("not integrity protected", result.Errors, StringComparison.OrdinalIgnoreCase);
        // DECRYPTION_INFO <mdc method> <cipher>: 2 = SHA-1 MDC, 9 = AES-256.
        Assert.Equal(["2", "9"], result.StatusFields("DECRYPTION_INFO")![..2]);
        Assert.Equal(TestPgpKeys.UnlockedCompany.SigningKeyId, result.StatusFields("GOODSIG")![0]);
        // VALIDSIG <signing key fpr> <date> <time> <expire> <version> <reserved> <pk algo> <hash algo> <class> <primary fpr>
        var validSignature = result.StatusFields("VALIDSIG")!;
        Assert.Equal(TestPgpKeys.Company.Fingerprint, validSignature[9]);
        Assert.Equal("8", validSignature[7]);
        Assert.Equal("contracts_2026-01.csv", result.StatusFields("PLAINTEXT")![2]);
        TestFiles.AssertSameContent(input, decrypted);
    }

    [Fact]
    public async Task Our_file_holds_compressed_one_pass_signed_literal_data_as_gpg_lists_it()
    {
        var encrypted = _gpg.File("small.pgp");
        await using (var output = File.Create(encrypted))
        {
            await TestPgpKeys.Encryptor().EncryptAsync(new MemoryStream("a,b\n1,2\n"u8.ToArray()), output, TestPgpKeys.PartnerPublic, "small.csv");
        }

        _gpg.Import(TestPgpKeys.Partner.ArmoredSecretKey);
        var packets = _gpg.RunChecked("--pinentry-mode", "loopback", "--passphrase-file", _gpg.WritePassphraseFile(TestPgpKeys.PartnerPassphrase),
            "--list-packets", encrypted).Output;

        Assert.Contains($"keyid {TestPgpKeys.PartnerPublic.EncryptionKey.KeyId}", packets, StringComparison.Ordinal);
        Assert.Contains("mdc_method: 2", packets, StringComparison.Ordinal);
        Assert.Contains(":compressed packet: algo=2", packets, StringComparison.Ordinal);
        Assert.Contains("sigclass 0x00, digest 8, pubkey 1", packets, StringComparison.Ordinal);
        Assert.Contains("name=\"small.csv\"", packets, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, "zlib")]
    [InlineData(true, "zip")]
    public async Task We_decrypt_what_gpg_encrypts_to_us_and_verify_gpgs_signature(bool armor, string compression)
    {
        var partnerFingerprint = _gpg.GenerateKey("Partner Sender <sender@partner.test>", "rsa3072", "sign", "never");
        _gpg.AddSubkey(partnerFingerprint, "rsa3072", "encr", "never");
        var partnerKey = new PgpKeyValidator(TimeProvider.System).Validate(_gpg.ExportPublicKey(partnerFingerprint));
        Assert.True(partnerKey.IsValid, partnerKey.Rejection?.Message);
        _gpg.Import(TestPgpKeys.Company.ArmoredPublicKey);
        var input = _gpg.File("payments.csv");
        TestFiles.WriteReportLike(input, InputBytes, seed: 11);
        var encrypted = _gpg.File("payments.csv.gpg");
        _gpg.RunChecked([.. armor ? new[] { "--armor" } : [], "--trust-model", "always", "--compress-algo", compression,
            "--local-user", partnerFingerprint, "--recipient", TestPgpKeys.Company.Fingerprint, "--output", encrypted, "--encrypt", "--sign", input]);

        var decrypted = _gpg.File("payments.decrypted.csv");
        PgpDecryptionResult result;
        await using (var source = File.OpenRead(encrypted))
        await using (var output = File.Create(decrypted))
        {
            result = await PgpDecryptor.DecryptAsync(source, output, TestPgpKeys.UnlockedCompany, [partnerKey.Key.PublicKeyRing]);
        }

        Assert.Equal(PgpSignatureStatus.Valid, result.Signature);
        Assert.Equal(partnerFingerprint, result.SignerFingerprint);
        Assert.Equal(partnerFingerprint[^16..], result.SignerKeyId);
        Assert.Equal("payments.csv", result.FileName);
        Assert.Equal(new FileInfo(input).Length, result.PlaintextBytes);
        TestFiles.AssertSameContent(input, decrypted);
    }

    [Fact]
    public async Task A_signature_by_a_key_we_were_not_given_is_reported_as_unknown_signer()
    {
        var strangerFingerprint = _gpg.GenerateKey("Stranger <x@stranger.test>", "rsa2048", "sign", "never");
        _gpg.Import(TestPgpKeys.Company.ArmoredPublicKey);
        var input = _gpg.File("note.txt");
        await File.WriteAllTextAsync(input, "hello");
        var encrypted = _gpg.File("note.gpg");
        _gpg.RunChecked("--trust-model", "always", "--local-user", strangerFingerprint, "--recipient", TestPgpKeys.Company.Fingerprint,
            "--output", encrypted, "--encrypt", "--sign", input);

        await using var source = File.OpenRead(encrypted);
        var result = await PgpDecryptor.DecryptAsync(source, Stream.Null, TestPgpKeys.UnlockedCompany, [TestPgpKeys.PartnerPublic.PublicKeyRing]);

        Assert.Equal(PgpSignatureStatus.UnknownSigner, result.Signature);
        Assert.False(result.SignatureValid);
        Assert.Equal(strangerFingerprint[^16..], result.SignerKeyId);
        Assert.Null(result.SignerFingerprint);
    }

    [Theory]
    [InlineData(0.5)] // inside the compressed data: decompression breaks before the MDC is reached
    [InlineData(-10)] // inside the MDC packet at the very end: everything decompresses, the MDC does not match
    public async Task A_tampered_file_fails_the_integrity_check_for_gpg_and_for_us(double where)
    {
        var input = _gpg.File("installments.csv");
        TestFiles.WriteReportLike(input, 2 * 1024 * 1024, seed: 3);
        var encrypted = _gpg.File("installments.csv.pgp");
        await using (var plaintext = File.OpenRead(input))
        await using (var output = File.Create(encrypted))
        {
            await TestPgpKeys.Encryptor().EncryptAsync(plaintext, output, TestPgpKeys.PartnerPublic, "installments.csv", armor: false);
        }

        await using (var file = File.Open(encrypted, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = where > 0 ? (long)(file.Length * where) : file.Length + (long)where;
            var original = file.ReadByte();
            file.Position--;
            file.WriteByte((byte)(original ^ 0x5A));
        }

        _gpg.Import(TestPgpKeys.Partner.ArmoredSecretKey);
        var gpgResult = _gpg.Run("--pinentry-mode", "loopback", "--passphrase-file", _gpg.WritePassphraseFile(TestPgpKeys.PartnerPassphrase),
            "--output", _gpg.File("tampered.csv"), "--decrypt", encrypted);
        Assert.NotEqual(0, gpgResult.ExitCode);
        Assert.False(gpgResult.HasStatus("DECRYPTION_OKAY"), gpgResult.Errors);
        if (where < 0)
        {
            Assert.True(gpgResult.HasStatus("DECRYPTION_FAILED") || gpgResult.HasStatus("BADMDC"), gpgResult.Errors);
        }

        var partner = UnlockedPgpKey.Unlock(TestPgpKeys.Partner.ArmoredSecretKey, TestPgpKeys.PartnerPassphrase, DateTimeOffset.UtcNow);
        await using var source = File.OpenRead(encrypted);
        var failure = await Assert.ThrowsAsync<PgpDecryptionException>(() => PgpDecryptor.DecryptAsync(source, Stream.Null, partner, [TestPgpKeys.UnlockedCompany.PublicKeyRing]));
        Assert.Equal(PgpDecryptionFailure.IntegrityCheckFailed, failure.Failure);
    }
}
