using System.IO.Compression;
using ReportingApi.Pgp;

namespace ReportingApi.TestSupport;

/// <summary>
/// Keys made once per test process by <see cref="PgpKeyGenerator"/>: the company's (signs) and a partner's (receives),
/// RSA-3072 as the app generates by default, and an Ed25519/Cv25519 key of each.
/// The company key is also written to a folder for app hosts, so that the hosts a test process starts (in parallel)
/// never race to generate the development key, and RSA key generation is paid once.
/// </summary>
public static class TestPgpKeys
{
    public const string CompanyPassphrase = "test-company-passphrase";
    public const string PartnerPassphrase = "partner-test-passphrase";

    private static readonly PgpKeyGenerator Generator = new(TimeProvider.System);
    private static readonly Lazy<GeneratedPgpKey> CompanyKey = new(() => Generator.Generate("ReportingApi Tests <tests@localhost>", CompanyPassphrase));
    private static readonly Lazy<GeneratedPgpKey> PartnerKey = new(() => Generator.Generate("Partner Test <sftp@partner.test>", PartnerPassphrase));
    private static readonly Lazy<GeneratedPgpKey> Ed25519CompanyKey = new(() => Generator.Generate("ReportingApi Tests Ed25519 <tests@localhost>", CompanyPassphrase, kind: PgpKeyKind.Ed25519));
    private static readonly Lazy<GeneratedPgpKey> Ed25519PartnerKey = new(() => Generator.Generate("Partner Test Ed25519 <sftp@partner.test>", PartnerPassphrase, kind: PgpKeyKind.Ed25519));
    private static readonly Lazy<UnlockedPgpKey> UnlockedCompanyKey = new(() => UnlockedPgpKey.Unlock(Company.ArmoredSecretKey, CompanyPassphrase, DateTimeOffset.UtcNow));
    private static readonly Lazy<UnlockedPgpKey> UnlockedEd25519CompanyKey = new(() => UnlockedPgpKey.Unlock(CompanyOfKind(PgpKeyKind.Ed25519).ArmoredSecretKey, CompanyPassphrase, DateTimeOffset.UtcNow));
    private static readonly Lazy<UnlockedPgpKey> UnlockedPartnerKey = new(() => UnlockedPgpKey.Unlock(Partner.ArmoredSecretKey, PartnerPassphrase, DateTimeOffset.UtcNow));
    private static readonly Lazy<PartnerPgpKey> PartnerPublicKey = new(() => Validated(Partner.ArmoredPublicKey));

    private static readonly Lazy<string> KeysFolder = new(CreateFolder, LazyThreadSafetyMode.ExecutionAndPublication);

    public static GeneratedPgpKey Company => CompanyKey.Value;

    public static GeneratedPgpKey Partner => PartnerKey.Value;

    public static UnlockedPgpKey UnlockedCompany => UnlockedCompanyKey.Value;

    public static UnlockedPgpKey UnlockedPartner => UnlockedPartnerKey.Value;

    /// <summary>The partner's public key as validated for encryption.</summary>
    public static PartnerPgpKey PartnerPublic => PartnerPublicKey.Value;

    public static GeneratedPgpKey CompanyOfKind(PgpKeyKind kind) => kind == PgpKeyKind.Rsa ? Company : Ed25519CompanyKey.Value;

    public static UnlockedPgpKey UnlockedCompanyOfKind(PgpKeyKind kind) => kind == PgpKeyKind.Rsa ? UnlockedCompany : UnlockedEd25519CompanyKey.Value;

    public static GeneratedPgpKey PartnerOfKind(PgpKeyKind kind) => kind == PgpKeyKind.Rsa ? Partner : Ed25519PartnerKey.Value;

    /// <summary>Signs with the company key of <paramref name="companyKind"/>.</summary>
    public static PgpEncryptor Encryptor(bool armorByDefault = false, PgpKeyKind companyKind = PgpKeyKind.Rsa) =>
        new(UnlockedCompanyOfKind(companyKind), armorByDefault, CompressionLevel.Fastest, TimeProvider.System);

    /// <summary>A public key as <see cref="PgpKeyValidator"/> accepts it; throws with the rejection when it does not.</summary>
    public static PartnerPgpKey Validated(string armoredPublicKey)
    {
        var result = new PgpKeyValidator(TimeProvider.System).Validate(armoredPublicKey);
        return result.IsValid ? result.Key : throw new InvalidOperationException(result.Rejection.Message);
    }

    public static string Folder => KeysFolder.Value;

    public static string CompanySecretKeyPath => CompanySecretKeyPathOfKind(PgpKeyKind.Rsa);

    public static string CompanySecretKeyPathOfKind(PgpKeyKind kind) => Path.Combine(Folder, kind == PgpKeyKind.Rsa ? "company.secret.asc" : "company-ed25519.secret.asc");

    public static string CompanyPassphrasePath => Path.Combine(Folder, "company.passphrase");

    /// <summary>Where the app writes the demo partners' keys (DemoOnboarding), shared by the hosts of this process.</summary>
    public static string DemoKeysFolder => Path.Combine(Folder, "demo-keys");

    /// <summary>Settings that give an app host the company key of <paramref name="companyKind"/>.</summary>
    public static Dictionary<string, string?> Settings(PgpKeyKind companyKind = PgpKeyKind.Rsa) => new()
    {
        ["Pgp:SecretKeyPath"] = CompanySecretKeyPathOfKind(companyKind),
        ["Pgp:PassphrasePath"] = CompanyPassphrasePath,
        ["Pgp:CreateDevelopmentKeyIfMissing"] = "false",
        // The demo keys folder holds the company's public key too, so hosts with another company key need their own.
        ["DemoOnboarding:KeysFolder"] = companyKind == PgpKeyKind.Rsa ? DemoKeysFolder : Path.Combine(Folder, $"demo-keys-{companyKind}"),
    };

    private static string CreateFolder()
    {
        var folder = Directory.CreateTempSubdirectory($"reportingapi-test-keys-{Environment.ProcessId}-").FullName;
        File.WriteAllText(Path.Combine(folder, "company.secret.asc"), Company.ArmoredSecretKey);
        File.WriteAllText(Path.Combine(folder, "company-ed25519.secret.asc"), CompanyOfKind(PgpKeyKind.Ed25519).ArmoredSecretKey);
        File.WriteAllText(Path.Combine(folder, "company.passphrase"), CompanyPassphrase + "\n");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(folder, recursive: true);
        return folder;
    }
}
