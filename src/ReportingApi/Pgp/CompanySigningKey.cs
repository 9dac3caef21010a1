using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace ReportingApi.Pgp;

/// <summary>
/// The company's OpenPGP key, loaded from <see cref="PgpOptions.SecretKeyPath"/> and unlocked with the passphrase in
/// <see cref="PgpOptions.PassphrasePath"/> once per process. It signs every file we send and decrypts files sent to us.
/// </summary>
public sealed class CompanySigningKey
{
    public CompanySigningKey(IOptions<PgpOptions> options, IHostEnvironment environment, PgpKeyGenerator generator, TimeProvider timeProvider, ILogger<CompanySigningKey> logger)
    {
        var settings = options.Value;
        var secretKeyPath = Path.GetFullPath(settings.SecretKeyPath, environment.ContentRootPath);
        var passphrasePath = Path.GetFullPath(settings.PassphrasePath, environment.ContentRootPath);
        if (!File.Exists(secretKeyPath) && settings.CreateDevelopmentKeyIfMissing && environment.IsDevelopment())
        {
            var fingerprint = CreateDevelopmentKey(generator, settings.DevelopmentKeyUserId, secretKeyPath, passphrasePath);
            logger.LogWarning("Generated a development company OpenPGP key {Fingerprint} at {SecretKeyPath}; never use it in production.", fingerprint, secretKeyPath);
        }

        var passphrase = ReadPassphrase(passphrasePath);
        var secretKey = File.Exists(secretKeyPath)
            ? File.ReadAllText(secretKeyPath)
            : throw new PgpKeyUnlockException($"The company's secret key file {secretKeyPath} ({PgpOptions.Section}:{nameof(PgpOptions.SecretKeyPath)}) does not exist.");
        try
        {
            Key = UnlockedPgpKey.Unlock(secretKey, passphrase, timeProvider.GetUtcNow());
        }
        catch (PgpKeyUnlockException exception)
        {
            throw new PgpKeyUnlockException($"The company's secret key ({PgpOptions.Section}:{nameof(PgpOptions.SecretKeyPath)} = {secretKeyPath}) cannot be used: {exception.Message}", exception);
        }

        logger.LogInformation("Company OpenPGP key {Fingerprint} loaded; signing key {SigningKeyId}.", Key.Fingerprint, Key.SigningKeyId);
    }

    public UnlockedPgpKey Key { get; }

    /// <summary>The first line of the file, as gpg's --passphrase-file reads it.</summary>
    private static string ReadPassphrase(string passphrasePath)
    {
        if (!File.Exists(passphrasePath))
        {
            throw new PgpKeyUnlockException($"The company key's passphrase file {passphrasePath} ({PgpOptions.Section}:{nameof(PgpOptions.PassphrasePath)}) does not exist.");
        }

        using var reader = new StreamReader(passphrasePath);
        var passphrase = reader.ReadLine();
        return string.IsNullOrEmpty(passphrase)
            ? throw new PgpKeyUnlockException($"The company key's passphrase file {passphrasePath} ({PgpOptions.Section}:{nameof(PgpOptions.PassphrasePath)}) is empty.")
            : passphrase;
    }

    /// <summary>Writes a new key and (unless one is there) a random passphrase, both readable by the owner only.</summary>
    private static string CreateDevelopmentKey(PgpKeyGenerator generator, string userId, string secretKeyPath, string passphrasePath)
    {
        if (!File.Exists(passphrasePath))
        {
            WriteOwnerOnly(passphrasePath, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) + "\n");
        }

        var key = generator.Generate(userId, ReadPassphrase(passphrasePath));
        WriteOwnerOnly(secretKeyPath, key.ArmoredSecretKey);
        return key.Fingerprint;
    }

    private static void WriteOwnerOnly(string path, string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var writer = new StreamWriter(path, System.Text.Encoding.ASCII, options);
        writer.Write(content);
    }
}

/// <summary>Loads the company key while the app starts, so that a missing file or wrong passphrase stops the start with a clear error rather than failing the first delivery.</summary>
internal sealed class CompanySigningKeyStartup(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = services.GetRequiredService<CompanySigningKey>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
