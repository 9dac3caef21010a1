using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ReportingApi.Pgp;
using ReportingApi.TestSupport;

namespace ReportingApi.IntegrationTests.Pgp;

/// <summary>
/// Real gpg reads what we write, and we read what real gpg writes, for every kind of partner key we accept (made by
/// gpg, as partners make them) and both kinds of company key (RSA and Ed25519, made by <see cref="PgpKeyGenerator"/>).
/// </summary>
public sealed class GpgInteropTests(GpgPartnerKeys partnerKeys) : IClassFixture<GpgPartnerKeys>, IDisposable
{
    private const int InputBytes = 6 * 1024 * 1024;
    private const int SmallInputBytes = 512 * 1024;
    private const string CompanyKeyPassphrase = "company key made by gpg";
    private readonly GnuPgHome _gpg = new();

    /// <summary>Every partner key algorithm we accept beside every kind of company key.</summary>
    public static TheoryData<string, PgpKeyKind> PartnerAndCompanyKinds()
    {
        var data = new TheoryData<string, PgpKeyKind>();
        foreach (var partner in GpgPartnerKeys.AcceptedAlgorithms)
        {
            foreach (var company in Enum.GetValues<PgpKeyKind>())
            {
                data.Add(partner, company);
            }
        }

        return data;
    }

    public void Dispose() => _gpg.Dispose();

    [Theory]
    [MemberData(nameof(PartnerAndCompanyKinds))]
    public async Task Gpg_decrypts_what_we_encrypt_to_every_kind_of_partner_key_and_verifies_every_kind_of_company_signature(string partnerAlgorithm, PgpKeyKind companyKind)
    {
        var gpg = partnerKeys.Home;
        var (partnerFingerprint, partnerKey) = partnerKeys.Key(partnerAlgorithm);
        var company = TestPgpKeys.UnlockedCompanyOfKind(companyKind);
        var input = gpg.File($"{partnerAlgorithm}-{companyKind}.csv");
        TestFiles.WriteReportLike(input, SmallInputBytes);
        var encrypted = input + ".pgp";
        await using (var plaintext = File.OpenRead(input))
        await using (var output = File.Create(encrypted))
        {
            await TestPgpKeys.Encryptor(companyKind: companyKind).EncryptAsync(plaintext, output, partnerKey, Path.GetFileName(input));
        }

        gpg.Import(company.ArmoredPublicKey);
        var decrypted = input + ".decrypted";
        var result = gpg.Run("--output", decrypted, "--decrypt", encrypted);

        Assert.True(result.ExitCode == 0, result.Errors);
        Assert.True(result.HasStatus("DECRYPTION_OKAY") && result.HasStatus("GOODMDC"), result.Errors);
        // ENC_TO <key id> ...: the partner's encryption subkey, the one the validator chose.
        Assert.Equal(partnerKey.EncryptionKey.KeyId, result.StatusFields("ENC_TO")![0]);
        Assert.Equal(company.SigningKeyId, result.StatusFields("GOODSIG")![0]);
        // VALIDSIG <signing key fpr> <date> <time> <expire> <version> <reserved> <pk algo> <hash algo> <class> <primary fpr>
        var validSignature = result.StatusFields("VALIDSIG")!;
        Assert.Equal(company.Fingerprint, validSignature[9]);
        Assert.Equal(companyKind == PgpKeyKind.Rsa ? "1" : "22", validSignature[6]);
        Assert.Equal("8", validSignature[7]);
        TestFiles.AssertSameContent(input, decrypted);
    }

    [Theory]
    [MemberData(nameof(PartnerAndCompanyKinds))]
    public async Task We_decrypt_what_gpg_encrypts_to_every_kind_of_company_key_and_verify_every_kind_of_partner_signature(string partnerAlgorithm, PgpKeyKind companyKind)
    {
        var gpg = partnerKeys.Home;
        var (partnerFingerprint, partnerKey) = partnerKeys.Key(partnerAlgorithm);
        var company = TestPgpKeys.UnlockedCompanyOfKind(companyKind);
        gpg.Import(company.ArmoredPublicKey);
        var input = gpg.File($"from-{partnerAlgorithm}-to-{companyKind}.csv");
        TestFiles.WriteReportLike(input, SmallInputBytes, seed: 5);
        var encrypted = input + ".gpg";
        gpg.RunChecked("--trust-model", "always", "--local-user", partnerFingerprint, "--recipient", company.Fingerprint,
            "--output", encrypted, "--encrypt", "--sign", input);

        var decrypted = input + ".decrypted";
        PgpDecryptionResult result;
        await using (var source = File.OpenRead(encrypted))
        await using (var output = File.Create(decrypted))
        {
            result = await PgpDecryptor.DecryptAsync(source, output, company, [partnerKey.PublicKeyRing]);
        }

        Assert.Equal(PgpSignatureStatus.Valid, result.Signature);
        Assert.Equal(partnerFingerprint, result.SignerFingerprint);
        TestFiles.AssertSameContent(input, decrypted);
    }

    [Theory]
    [InlineData("rsa3072")]
    [InlineData(GnuPgHome.FutureDefault)]
    public async Task A_company_key_made_by_gpg_signs_what_gpg_verifies_and_decrypts_what_gpg_encrypts_to_it(string algorithm)
    {
        var gpg = partnerKeys.Home;
        var companyFingerprint = _gpg.GenerateKeyWithEncryptionSubkey("Company by gpg <reports@company.test>", algorithm, passphrase: CompanyKeyPassphrase);
        var company = UnlockedPgpKey.Unlock(_gpg.ExportSecretKey(companyFingerprint, CompanyKeyPassphrase), CompanyKeyPassphrase, DateTimeOffset.UtcNow);
        gpg.Import(_gpg.ExportPublicKey(companyFingerprint));
        var (partnerFingerprint, partnerKey) = partnerKeys.Key(GnuPgHome.FutureDefault);
        var input = gpg.File($"company-{algorithm}.csv");
        TestFiles.WriteReportLike(input, SmallInputBytes, seed: 9);

        var ours = input + ".pgp";
        await using (var plaintext = File.OpenRead(input))
        await using (var output = File.Create(ours))
        {
            await new PgpEncryptor(company, armorByDefault: false, System.IO.Compression.CompressionLevel.Fastest, TimeProvider.System)
                .EncryptAsync(plaintext, output, partnerKey, Path.GetFileName(input));
        }

        var verified = gpg.Run("--output", input + ".from-us", "--decrypt", ours);
        Assert.True(verified.ExitCode == 0 && verified.HasStatus("GOODSIG"), verified.Errors);
        Assert.Equal(companyFingerprint, verified.StatusFields("VALIDSIG")![9]);

        var theirs = input + ".gpg";
        gpg.RunChecked("--trust-model", "always", "--local-user", partnerFingerprint, "--recipient", companyFingerprint, "--output", theirs, "--encrypt", "--sign", input);
        await using var source = File.OpenRead(theirs);
        var decrypted = new MemoryStream();
        var result = await PgpDecryptor.DecryptAsync(source, decrypted, company, [partnerKey.PublicKeyRing]);
        Assert.Equal(PgpSignatureStatus.Valid, result.Signature);
        Assert.True(File.ReadAllBytes(input).AsSpan().SequenceEqual(decrypted.ToArray()));
    }

    [Fact]
    public void A_company_key_that_signs_with_ecdsa_stops_the_start_with_a_clear_reason()
    {
        var fingerprint = _gpg.GenerateKeyWithEncryptionSubkey("Company ECDSA <reports@company.test>", "nistp256", passphrase: CompanyKeyPassphrase);
        File.WriteAllText(_gpg.File("company.asc"), _gpg.ExportSecretKey(fingerprint, CompanyKeyPassphrase));
        File.WriteAllText(_gpg.File("company.passphrase"), CompanyKeyPassphrase + "\n");

        var error = Assert.Throws<PgpKeyUnlockException>(() => new CompanySigningKey(
            Options.Create(new PgpOptions { SecretKeyPath = "company.asc", PassphrasePath = "company.passphrase" }),
            new HostingEnvironment { EnvironmentName = Environments.Production, ContentRootPath = _gpg.Path },
            new PgpKeyGenerator(TimeProvider.System),
            TimeProvider.System,
            NullLogger<CompanySigningKey>.Instance));

        Assert.Contains("signs with ECDSA P-256; reports are signed with RSA or Ed25519 keys only", error.Message, StringComparison.Ordinal);
    }

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
