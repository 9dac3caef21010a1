using System.IO.Compression;
using ReportingApi.Pgp;

namespace ReportingApi.TestSupport;

/// <summary>
/// Keys made once per test process by <see cref="PgpKeyGenerator"/>: the company's (signs) and a partner's (receives).
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
    private static readonly Lazy<UnlockedPgpKey> UnlockedCompanyKey = new(() => UnlockedPgpKey.Unlock(Company.ArmoredSecretKey, CompanyPassphrase, DateTimeOffset.UtcNow));
    private static readonly Lazy<UnlockedPgpKey> UnlockedPartnerKey = new(() => UnlockedPgpKey.Unlock(Partner.ArmoredSecretKey, PartnerPassphrase, DateTimeOffset.UtcNow));
    private static readonly Lazy<PartnerPgpKey> PartnerPublicKey = new(() =>
    {
        var result = new PgpKeyValidator(TimeProvider.System).Validate(Partner.ArmoredPublicKey);
        return result.IsValid ? result.Key : throw new InvalidOperationException(result.Rejection.Message);
    });

    private static readonly Lazy<string> KeysFolder = new(CreateFolder, LazyThreadSafetyMode.ExecutionAndPublication);

    public static GeneratedPgpKey Company => CompanyKey.Value;

    public static GeneratedPgpKey Partner => PartnerKey.Value;

    public static UnlockedPgpKey UnlockedCompany => UnlockedCompanyKey.Value;

    public static UnlockedPgpKey UnlockedPartner => UnlockedPartnerKey.Value;

    /// <summary>The partner's public key as validated for encryption.</summary>
    public static PartnerPgpKey PartnerPublic => PartnerPublicKey.Value;

    public static PgpEncryptor Encryptor(bool armorByDefault = false) => new(UnlockedCompany, armorByDefault, CompressionLevel.Fastest, TimeProvider.System);

    public static string Folder => KeysFolder.Value;

    public static string CompanySecretKeyPath => Path.Combine(Folder, "company.secret.asc");

    public static string CompanyPassphrasePath => Path.Combine(Folder, "company.passphrase");

    /// <summary>Where the app writes the demo partners' keys (DemoOnboarding), shared by the hosts of this process.</summary>
    public static string DemoKeysFolder => Path.Combine(Folder, "demo-keys");

    public static Dictionary<string, string?> Settings() => new()
    {
        ["Pgp:SecretKeyPath"] = CompanySecretKeyPath,
        ["Pgp:PassphrasePath"] = CompanyPassphrasePath,
        ["Pgp:CreateDevelopmentKeyIfMissing"] = "false",
        ["DemoOnboarding:KeysFolder"] = DemoKeysFolder,
    };

    private static string CreateFolder()
    {
        var folder = Directory.CreateTempSubdirectory($"reportingapi-test-keys-{Environment.ProcessId}-").FullName;
        File.WriteAllText(Path.Combine(folder, "company.secret.asc"), Company.ArmoredSecretKey);
        File.WriteAllText(Path.Combine(folder, "company.passphrase"), CompanyPassphrase + "\n");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(folder, recursive: true);
        return folder;
    }
}
