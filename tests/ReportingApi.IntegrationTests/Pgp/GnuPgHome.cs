using System.Diagnostics;
using ReportingApi.Demo;
using ReportingApi.TestSupport;

namespace ReportingApi.IntegrationTests.Pgp;

/// <summary>What one gpg run did. Status lines (<c>--status-fd 2</c>) are the machine-readable part of stderr.</summary>
internal sealed record GpgResult(int ExitCode, string Output, string Errors)
{
    private const string StatusPrefix = "[GNUPG:] ";

    public IReadOnlyList<string> Status => Errors.Split('\n')
        .Where(line => line.StartsWith(StatusPrefix, StringComparison.Ordinal))
        .Select(line => line[StatusPrefix.Length..].TrimEnd('\r'))
        .ToList();

    /// <summary>The fields after the keyword of the first status line with that keyword, or null.</summary>
    public string[]? StatusFields(string keyword) => Status
        .Select(line => line.Split(' '))
        .FirstOrDefault(fields => fields[0] == keyword)?[1..];

    public bool HasStatus(string keyword) => StatusFields(keyword) is not null;
}

/// <summary>
/// A private GnuPG home for one test: its own keyrings and its own gpg-agent, which is stopped and the folder
/// deleted on dispose. gpg always runs in batch mode; passphrases come from files through loopback pinentry.
/// </summary>
internal sealed class GnuPgHome : IDisposable
{
    /// <summary>gpg's name for an Ed25519 signing key with a Cv25519 (X25519) encryption subkey.</summary>
    public const string FutureDefault = "future-default";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    public GnuPgHome()
    {
        // Short: gpg-agent's socket path (inside the home when /run/user/UID is absent) must fit in 108 bytes.
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "gpg-" + Guid.NewGuid().ToString("N")[..12]);
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(Path);
        }
        else
        {
            // gpg warns about (and gpg-agent may refuse) a home others can read.
            Directory.CreateDirectory(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string WritePassphraseFile(string passphrase)
    {
        var path = File("passphrase-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.File.WriteAllText(path, passphrase + "\n");
        return path;
    }

    /// <summary>
    /// Decrypts <paramref name="encryptedPath"/> into <paramref name="outputPath"/> as the demo partner
    /// <paramref name="clientId"/> would: with its secret key, and our company's public key to verify the signature.
    /// </summary>
    public GpgResult DecryptAsDemoPartner(string clientId, string encryptedPath, string outputPath)
    {
        var passphraseFile = System.IO.Path.Combine(TestPgpKeys.DemoKeysFolder, $"{clientId}.passphrase");
        RunChecked("--pinentry-mode", "loopback", "--passphrase-file", passphraseFile, "--import", System.IO.Path.Combine(TestPgpKeys.DemoKeysFolder, $"{clientId}.secret.asc"));
        RunChecked("--import", System.IO.Path.Combine(TestPgpKeys.DemoKeysFolder, DemoOnboarding.CompanyPublicKeyFile));
        return Run("--pinentry-mode", "loopback", "--passphrase-file", passphraseFile, "--output", outputPath, "--decrypt", encryptedPath);
    }

    public GpgResult Run(params string[] arguments) => Execute("gpg", ["--batch", "--no-tty", "--status-fd", "2", .. arguments]);

    public GpgResult RunChecked(params string[] arguments)
    {
        var result = Run(arguments);
        Assert.True(result.ExitCode == 0, $"gpg {string.Join(' ', arguments)} exited with {result.ExitCode}:\n{result.Errors}");
        return result;
    }

    /// <summary>Generates a key and returns its fingerprint; unprotected unless a passphrase is given (protecting makes gpg-agent take seconds longer).</summary>
    /// <param name="fakedSystemTime">gpg's --faked-system-time, e.g. <c>20200101T000000</c>: the key is created then.</param>
    public string GenerateKey(string userId, string algorithm, string usage, string expire, string? fakedSystemTime = null, string passphrase = "")
    {
        var result = RunChecked([.. FakedTime(fakedSystemTime), "--pinentry-mode", "loopback", "--passphrase", passphrase, "--quick-generate-key", userId, algorithm, usage, expire]);
        var created = result.StatusFields("KEY_CREATED") ?? throw new InvalidOperationException("gpg reported no KEY_CREATED:\n" + result.Errors);
        return created[1];
    }

    public void AddSubkey(string fingerprint, string algorithm, string usage, string expire, string? fakedSystemTime = null, string passphrase = "") =>
        RunChecked([.. FakedTime(fakedSystemTime), "--pinentry-mode", "loopback", "--passphrase", passphrase, "--quick-add-key", fingerprint, algorithm, usage, expire]);

    /// <summary>
    /// A key that signs and has an encryption subkey, made as a partner makes one: <c>future-default</c> (Ed25519 with
    /// a Cv25519 subkey, gpg 2.3+'s default) in one step; any other algorithm (<c>rsa4096</c>, <c>nistp256</c>, ...)
    /// as a signing primary key plus an encryption subkey of the same algorithm, because gpg 2.2's
    /// <c>--quick-gen-key NAME nistp256</c> alone makes a sign-only key.
    /// </summary>
    public string GenerateKeyWithEncryptionSubkey(string userId, string algorithm, string expire = "never", string? fakedSystemTime = null, string passphrase = "")
    {
        if (algorithm == FutureDefault)
        {
            return GenerateKey(userId, algorithm, "default", expire, fakedSystemTime, passphrase);
        }

        var fingerprint = GenerateKey(userId, algorithm, "sign", expire, fakedSystemTime, passphrase);
        AddSubkey(fingerprint, algorithm, "encr", expire, fakedSystemTime, passphrase);
        return fingerprint;
    }

    public string ExportPublicKey(string fingerprint) => RunChecked("--armor", "--export", fingerprint).Output;

    public string ExportSecretKey(string fingerprint, string passphrase) =>
        RunChecked("--pinentry-mode", "loopback", "--passphrase", passphrase, "--armor", "--export-secret-keys", fingerprint).Output;

    /// <summary>Imports the revocation certificate gpg stored when it generated the key, which revokes the key.</summary>
    public void Revoke(string fingerprint) =>
        // The certificate's armor line is disabled by a leading colon, so that it is not imported by accident.
        Import(System.IO.File.ReadAllText(File(System.IO.Path.Combine("openpgp-revocs.d", fingerprint + ".rev")))
            .Replace(":-----BEGIN PGP PUBLIC KEY BLOCK-----", "-----BEGIN PGP PUBLIC KEY BLOCK-----", StringComparison.Ordinal));

    public void Import(string armoredKey)
    {
        var path = File("import-" + Guid.NewGuid().ToString("N")[..8] + ".asc");
        System.IO.File.WriteAllText(path, armoredKey);
        RunChecked("--import", path);
    }

    /// <summary>Fingerprints of the key and its subkeys, primary first, as gpg lists them.</summary>
    public IReadOnlyList<string> Fingerprints(string fingerprint) =>
        RunChecked("--with-colons", "--list-keys", fingerprint).Output.Split('\n')
            .Where(line => line.StartsWith("fpr:", StringComparison.Ordinal))
            .Select(line => line.Split(':')[9])
            .ToList();

    public void Dispose()
    {
        try
        {
            Execute("gpgconf", ["--kill", "gpg-agent"]);
        }
        finally
        {
            Directory.Delete(Path, recursive: true);
        }
    }

    private static string[] FakedTime(string? fakedSystemTime) =>
        fakedSystemTime is null ? [] : ["--faked-system-time", fakedSystemTime];

    private GpgResult Execute(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["GNUPGHOME"] = Path;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(CommandTimeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish within {CommandTimeout}.");
        }

        return new GpgResult(process.ExitCode, output.GetAwaiter().GetResult(), errors.GetAwaiter().GetResult());
    }
}
