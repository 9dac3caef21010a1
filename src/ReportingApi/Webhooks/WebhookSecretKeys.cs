using Microsoft.Extensions.Options;
using ReportingApi.Secrets;

namespace ReportingApi.Webhooks;

/// <summary>
/// The <see cref="WebhookSecretProtector"/> under the key(s) in <see cref="WebhooksOptions.EncryptionKeySecret"/>, read
/// through the secret source at each use (it caches), so a key added to the secret is picked up without a restart.
/// </summary>
public sealed class WebhookSecretKeys(ISecretSource secrets, IOptions<WebhooksOptions> options, IHostEnvironment environment, ILogger<WebhookSecretKeys> logger)
{
    private readonly Lock _gate = new();
    private (string Text, WebhookSecretProtector Protector)? _cached;

    /// <exception cref="WebhooksUnavailableException">No key is configured, or its secret cannot be read or parsed.</exception>
    public async Task<WebhookSecretProtector> GetProtectorAsync(CancellationToken cancellationToken)
    {
        var reference = options.Value.EncryptionKeySecret;
        if (string.IsNullOrWhiteSpace(reference))
        {
            throw new WebhooksUnavailableException($"Webhooks are not set up: {WebhooksOptions.Section}:{nameof(WebhooksOptions.EncryptionKeySecret)} names no key.");
        }

        string text;
        try
        {
            CreateDevelopmentKeyIfMissing(reference);
            text = await secrets.GetSecretAsync(reference, cancellationToken);
        }
        catch (SecretSourceException e)
        {
            logger.LogError(e, "The webhook secret encryption key {Reference} cannot be read", reference);
            throw new WebhooksUnavailableException("The key that protects webhook secrets cannot be read right now.");
        }

        lock (_gate)
        {
            if (_cached is { } cached && cached.Text == text)
            {
                return cached.Protector;
            }
        }

        WebhookSecretProtector protector;
        try
        {
            protector = new WebhookSecretProtector([.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(WebhookSecretProtector.ParseKey)]);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            logger.LogError("The webhook secret encryption key {Reference} is not usable: {Problem}", reference, e.Message);
            throw new WebhooksUnavailableException("The key that protects webhook secrets is not usable.");
        }

        lock (_gate)
        {
            _cached = (text, protector);
        }

        return protector;
    }

    private void CreateDevelopmentKeyIfMissing(string reference)
    {
        if (!options.Value.CreateDevelopmentKeyIfMissing || !environment.IsDevelopment() || secrets is not FileSecretSource files)
        {
            return;
        }

        var path = files.FullPath(reference);
        if (File.Exists(path))
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
            using var writer = new StreamWriter(file);
            writer.WriteLine(Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
            logger.LogInformation("Created a development key for webhook secrets at {Path}", path);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another instance made it first: use theirs.
        }
    }
}

/// <summary>Webhooks cannot be configured or sent now (no key, or it cannot be read); the message says which, never the key.</summary>
public sealed class WebhooksUnavailableException(string message) : Exception(message);
