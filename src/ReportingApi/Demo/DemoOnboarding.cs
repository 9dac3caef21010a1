using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using ReportingApi.Data;
using ReportingApi.Delivery;
using ReportingApi.Partners;
using ReportingApi.Pgp;

namespace ReportingApi.Demo;

public sealed class DemoOnboardingOptions
{
    public const string Section = "DemoOnboarding";

    /// <summary>Give the demo partners PGP keys and a folder delivery target at start, when they have none.</summary>
    public bool Enabled { get; set; }

    /// <summary>Where the demo partners' key files go (the README tells users to import them into gpg).</summary>
    [Required(AllowEmptyStrings = false)]
    public string KeysFolder { get; set; } = ".local/demo-keys";

    /// <summary>The folder that stands for the demo partners' SFTP servers: one subfolder per client id.</summary>
    [Required(AllowEmptyStrings = false)]
    public string SftpRootFolder { get; set; } = ".local/sftp";

    [Required(AllowEmptyStrings = false)]
    public string RemoteDirectory { get; set; } = "/reports";
}

/// <summary>
/// Completes the demo partners' onboarding on the embedded default: an RSA-3072 key pair each (its secret half and
/// passphrase written under <see cref="DemoOnboardingOptions.KeysFolder"/> so that a user can decrypt with gpg), the
/// company's public key beside them, and a folder per partner as its "SFTP server".
/// </summary>
public sealed class DemoOnboarding(
    PartnerStore partners,
    PgpKeyGenerator generator,
    PgpKeyValidator validator,
    CompanySigningKey companyKey,
    IOptions<DemoOnboardingOptions> options,
    IHostEnvironment environment,
    ILogger<DemoOnboarding> logger)
{
    public const string CompanyPublicKeyFile = "company.public.asc";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var keysFolder = Path.GetFullPath(settings.KeysFolder, environment.ContentRootPath);
        Directory.CreateDirectory(keysFolder);
        await WriteAtomicallyAsync(Path.Combine(keysFolder, CompanyPublicKeyFile), companyKey.Key.ArmoredPublicKey, cancellationToken);

        foreach (var demo in DemoPartners.All)
        {
            if (await partners.FindAsync(demo.Id, cancellationToken) is not { } partner || partner.ClientId != demo.ClientId)
            {
                continue;
            }

            if (partner.PgpKeyFingerprint is null)
            {
                var armoredPublicKey = await DemoKeyAsync(keysFolder, demo.ClientId, cancellationToken);
                var key = validator.Validate(armoredPublicKey);
                if (!key.IsValid)
                {
                    throw new InvalidOperationException($"The demo key of {demo.ClientId} is not usable: {key.Rejection.Message}");
                }

                await partners.SetPgpKeyAsync(demo.Id, key.Key.ArmoredPublicKey, key.Key.Fingerprint, cancellationToken);
                logger.LogInformation("Demo partner {ClientId}: PGP key {Fingerprint}, secret key in {KeysFolder}", demo.ClientId, key.Key.Fingerprint, keysFolder);
            }

            if (partner.Delivery is null)
            {
                var folder = Path.GetFullPath(Path.Combine(settings.SftpRootFolder, demo.ClientId), environment.ContentRootPath);
                await partners.SetDeliveryAsync(demo.Id, new DeliveryTarget(DeliveryKind.Folder, settings.RemoteDirectory, FolderPath: folder), cancellationToken);
            }
        }
    }

    /// <summary>
    /// The demo partner's public key: generated once and kept in the keys folder, so that restarts and other test
    /// hosts reuse it (RSA-3072 generation takes a second or two). A lock file serialises concurrent starts.
    /// </summary>
    private async Task<string> DemoKeyAsync(string keysFolder, string clientId, CancellationToken cancellationToken)
    {
        var publicPath = Path.Combine(keysFolder, $"{clientId}.public.asc");
        await using var _ = await AcquireLockAsync(Path.Combine(keysFolder, ".lock"), cancellationToken);
        if (File.Exists(publicPath))
        {
            return await File.ReadAllTextAsync(publicPath, cancellationToken);
        }

        var passphrase = $"{clientId}-demo-passphrase";
        var key = generator.Generate($"{clientId} (ReportingApi demo partner) <{clientId}@partners.example>", passphrase);
        await File.WriteAllTextAsync(Path.Combine(keysFolder, $"{clientId}.passphrase"), passphrase + "\n", cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(keysFolder, $"{clientId}.secret.asc"), key.ArmoredSecretKey, cancellationToken);
        await WriteAtomicallyAsync(publicPath, key.ArmoredPublicKey, cancellationToken);
        return key.ArmoredPublicKey;
    }

    // Other hosts may read the file at any moment (tests start several): they see the old or the new content, never half.
    private static async Task WriteAtomicallyAsync(string path, string content, CancellationToken cancellationToken)
    {
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        await File.WriteAllTextAsync(temporary, content, cancellationToken);
        File.Move(temporary, path, overwrite: true);
    }

    private static async Task<FileStream> AcquireLockAsync(string path, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException) when (attempt < 600)
            {
                await Task.Delay(100, cancellationToken);
            }
        }
    }
}
