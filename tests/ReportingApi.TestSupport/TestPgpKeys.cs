using ReportingApi.Pgp;

namespace ReportingApi.TestSupport;

/// <summary>
/// A company key and a demo-keys folder made once per test process, so that the app hosts a test process starts
/// (in parallel) never race to generate the development key, and RSA key generation is paid once.
/// </summary>
public static class TestPgpKeys
{
    public const string CompanyPassphrase = "test-company-passphrase";

    private static readonly Lazy<string> KeysFolder = new(CreateFolder, LazyThreadSafetyMode.ExecutionAndPublication);

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
        var key = new PgpKeyGenerator(TimeProvider.System).Generate("ReportingApi Tests <tests@localhost>", CompanyPassphrase);
        File.WriteAllText(Path.Combine(folder, "company.secret.asc"), key.ArmoredSecretKey);
        File.WriteAllText(Path.Combine(folder, "company.passphrase"), CompanyPassphrase + "\n");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(folder, recursive: true);
        return folder;
    }
}
