using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using ReportingApi.Secrets;

namespace ReportingApi.Pgp;

/// <summary>
/// The company's OpenPGP key, unlocked once per process. With <c>Secrets:Provider</c> <c>Files</c> it is loaded from
/// <see cref="PgpOptions.SecretKeyPath"/> with the passphrase in <see cref="PgpOptions.PassphrasePath"/>; with
/// <c>SecretsManager</c> from the secrets <see cref="PgpOptions.SecretKeySecretArn"/> and <see cref="PgpOptions.PassphraseSecretArn"/>.
/// It signs every file we send and decrypts files sent to us.
/// </summary>
public sealed class CompanySigningKey
{
    /// <summary>Reads the key and passphrase from local files.</summary>
    public CompanySigningKey(IOptions<PgpOptions> options, IHostEnvironment environment, PgpKeyGenerator generator, TimeProvider timeProvider, ILogger<CompanySigningKey> logger)
        : this(options, environment, new FileSecretSource(environment), generator, timeProvider, logger)
    {
    }

    public CompanySigningKey(IOptions<PgpOptions> options, IHostEnvironment environment, ISecretSource secrets, PgpKeyGenerator generator, TimeProvider timeProvider, ILogger<CompanySigningKey> logger)
    {
        var settings = options.Value;
        SecretReference key, passphraseSecret;
        if (secrets.Provider == SecretsProvider.SecretsManager)
        {
            key = new SecretReference(Required(settings.SecretKeySecretArn, nameof(PgpOptions.SecretKeySecretArn)), nameof(PgpOptions.SecretKeySecretArn), "secret key");
            passphraseSecret = new SecretReference(Required(settings.PassphraseSecretArn, nameof(PgpOptions.PassphraseSecretArn)), nameof(PgpOptions.PassphraseSecretArn), "passphrase");
        }
        else
        {
            var secretKeyPath = Path.GetFullPath(settings.SecretKeyPath, environment.ContentRootPath);
            var passphrasePath = Path.GetFullPath(settings.PassphrasePath, environment.ContentRootPath);
            if (!File.Exists(secretKeyPath) && settings.CreateDevelopmentKeyIfMissing && environment.IsDevelopment())
            {
                var fingerprint = CreateDevelopmentKey(generator, settings, secretKeyPath, passphrasePath);
                logger.LogWarning("Generated a development company OpenPGP key {Fingerprint} at {SecretKeyPath}; never use it in production.", fingerprint, secretKeyPath);
            }

            key = new SecretReference(secretKeyPath, nameof(PgpOptions.SecretKeyPath), "secret key file");
            passphraseSecret = new SecretReference(passphrasePath, nameof(PgpOptions.PassphrasePath), "passphrase file");
        }

        var passphrase = FirstLine(Read(secrets, passphraseSecret), passphraseSecret);
        var secretKey = Read(secrets, key);
        try
        {
            Key = UnlockedPgpKey.Unlock(secretKey, passphrase, timeProvider.GetUtcNow());
        }
        catch (PgpKeyUnlockException exception)
        {
            throw new PgpKeyUnlockException($"The company's secret key ({key.SettingName} = {key.Reference}) cannot be used: {exception.Message}", exception);
        }

        if (!OnePassSigner.CanSignWith(Key.SigningPublicKey))
        {
            throw new PgpKeyUnlockException($"The company's secret key ({key.SettingName} = {key.Reference}) signs with {OpenPgpKeys.AlgorithmName(Key.SigningPublicKey)}; reports are signed with RSA or Ed25519 keys only.");
        }

        logger.LogInformation("Company OpenPGP key {Fingerprint} loaded from {SecretsProvider}; signing key {SigningKeyId}.", Key.Fingerprint, secrets.Provider, Key.SigningKeyId);
    }

    public UnlockedPgpKey Key { get; }

    private static string Required(string? reference, string property) =>
        string.IsNullOrWhiteSpace(reference)
            ? throw new PgpKeyUnlockException($"{PgpOptions.Section}:{property} is not set, but {SecretsOptions.Section}:{nameof(SecretsOptions.Provider)} is {nameof(SecretsProvider.SecretsManager)}.")
            : reference;

    /// <summary>
    /// The key is loaded once while the app starts (from a hosted service, with no synchronization context), so
    /// waiting for the read here cannot deadlock; a constructor keeps the key available to every consumer.
    /// </summary>
    private static string Read(ISecretSource secrets, SecretReference secret)
    {
        try
        {
            return secrets.GetSecretAsync(secret.Reference, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (SecretNotFoundException) when (secrets.Provider == SecretsProvider.Files)
        {
            throw new PgpKeyUnlockException($"The company's {secret.What} {secret.Reference} ({secret.SettingName}) does not exist.");
        }
        catch (SecretSourceException exception)
        {
            throw new PgpKeyUnlockException($"The company's {secret.What} ({secret.SettingName} = {secret.Reference}) cannot be read: {exception.Message}", exception);
        }
    }

    /// <summary>The first line, as gpg's --passphrase-file reads it.</summary>
    private static string FirstLine(string content, SecretReference secret)
    {
        using var reader = new StringReader(content);
        var passphrase = reader.ReadLine();
        return string.IsNullOrEmpty(passphrase)
            ? throw new PgpKeyUnlockException($"The company key's {secret.What} {secret.Reference} ({secret.SettingName}) is empty.")
            : passphrase;
    }

    /// <summary>Writes a new key and (unless one is there) a random passphrase, both readable by the owner only.</summary>
    private static string CreateDevelopmentKey(PgpKeyGenerator generator, PgpOptions settings, string secretKeyPath, string passphrasePath)
    {
        if (!File.Exists(passphrasePath))
        {
            WriteOwnerOnly(passphrasePath, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) + "\n");
        }

        var passphrase = File.ReadLines(passphrasePath).FirstOrDefault();
        if (string.IsNullOrEmpty(passphrase))
        {
            throw new PgpKeyUnlockException($"The company key's passphrase file {passphrasePath} ({PgpOptions.Section}:{nameof(PgpOptions.PassphrasePath)}) is empty.");
        }

        var key = generator.Generate(settings.DevelopmentKeyUserId, passphrase, kind: settings.DevelopmentKeyKind);
        WriteOwnerOnly(secretKeyPath, key.ArmoredSecretKey);
        return key.Fingerprint;
    }

    /// <summary>Where one of the two secrets is: its reference (path or ARN), the setting that names it, and what it is.</summary>
    private sealed record SecretReference(string Reference, string Setting, string What)
    {
        public string SettingName => $"{PgpOptions.Section}:{Setting}";
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
