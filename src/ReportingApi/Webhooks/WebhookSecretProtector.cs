using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace ReportingApi.Webhooks;

/// <summary>
/// Keeps webhook signing secrets encrypted in the database. Signing needs the secret itself (an HMAC key cannot be
/// stored as a hash), so it must be readable by the app, but a copy of the database alone must not reveal it.
/// AES-256-GCM under a key that lives outside the database (read from the secret source: a file locally, Secrets
/// Manager on AWS). The stored text is <c>v1.{keyId}.{base64url(nonce ‖ tag ‖ ciphertext)}</c>; the key id lets the key
/// itself be rotated (new secrets under the first key, old ones still readable under the others). The
/// <c>context</c> (e.g. the partner and secret ids) is authenticated with the ciphertext, so a value copied to another
/// row does not decrypt there.
/// </summary>
public sealed class WebhookSecretProtector
{
    private const string Version = "v1";
    private const int KeyBytes = 32;
    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private const int KeyIdBytes = 4;

    private readonly List<(string Id, byte[] Key)> _keys;

    /// <param name="keys">The encryption keys, 32 bytes each: the first encrypts, every one decrypts what it encrypted.</param>
    public WebhookSecretProtector(IReadOnlyList<byte[]> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0 || keys.Any(key => key is not { Length: KeyBytes }))
        {
            throw new ArgumentException($"Webhook secrets need at least one encryption key of {KeyBytes} bytes.", nameof(keys));
        }

        _keys = keys.Select(key => (KeyId(key), key.ToArray())).ToList();
        if (_keys.Select(k => k.Id).Distinct(StringComparer.Ordinal).Count() != _keys.Count)
        {
            throw new ArgumentException("The webhook secret encryption keys must differ.", nameof(keys));
        }
    }

    /// <summary>
    /// A key as the secret source holds it: 32 bytes in base64 (<c>openssl rand -base64 32</c>) or as 64 hex digits,
    /// the form Secrets Manager can generate (the template's secret: lowercase letters a-f and digits only).
    /// </summary>
    /// <exception cref="FormatException">The text is neither; the message does not quote it.</exception>
    public static byte[] ParseKey(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        var key = new byte[KeyBytes + 1];
        if (trimmed.Length == KeyBytes * 2 && Convert.FromHexString(trimmed, key, out _, out _) == OperationStatus.Done)
        {
            return key[..KeyBytes];
        }

        if (!Convert.TryFromBase64String(trimmed, key, out var length) || length != KeyBytes)
        {
            throw new FormatException($"A webhook secret encryption key is {KeyBytes} bytes in base64 (openssl rand -base64 {KeyBytes}) or {KeyBytes * 2} hex digits.");
        }

        return key[..KeyBytes];
    }

    public string Protect(string secret, string context)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        ArgumentException.ThrowIfNullOrEmpty(context);
        var (id, key) = _keys[0];
        var plaintext = Encoding.UTF8.GetBytes(secret);
        var sealedBytes = new byte[NonceBytes + TagBytes + plaintext.Length];
        var nonce = sealedBytes.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagBytes);
        aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(NonceBytes + TagBytes), sealedBytes.AsSpan(NonceBytes, TagBytes), Encoding.UTF8.GetBytes(context));
        return $"{Version}.{id}.{Base64Url.EncodeToString(sealedBytes)}";
    }

    /// <exception cref="WebhookSecretUnreadableException">
    /// Not a value <see cref="Protect"/> made, made under a key not configured, for another context, or altered.
    /// </exception>
    public string Unprotect(string protectedSecret, string context)
    {
        ArgumentNullException.ThrowIfNull(protectedSecret);
        ArgumentException.ThrowIfNullOrEmpty(context);
        var parts = protectedSecret.Split('.');
        if (parts.Length != 3 || parts[0] != Version)
        {
            throw new WebhookSecretUnreadableException($"A stored webhook secret starts with '{Version}.{{keyId}}.'; this one does not.");
        }

        var key = _keys.FirstOrDefault(k => k.Id == parts[1]).Key
            ?? throw new WebhookSecretUnreadableException($"The webhook secret was encrypted under key {parts[1]}, which is not configured (keys: {string.Join(", ", _keys.Select(k => k.Id))}).");
        byte[] sealedBytes;
        try
        {
            sealedBytes = Base64Url.DecodeFromChars(parts[2]);
        }
        catch (FormatException)
        {
            throw new WebhookSecretUnreadableException("The stored webhook secret is not base64url.");
        }

        if (sealedBytes.Length <= NonceBytes + TagBytes)
        {
            throw new WebhookSecretUnreadableException("The stored webhook secret is too short.");
        }

        var plaintext = new byte[sealedBytes.Length - NonceBytes - TagBytes];
        try
        {
            using var aes = new AesGcm(key, TagBytes);
            aes.Decrypt(sealedBytes.AsSpan(0, NonceBytes), sealedBytes.AsSpan(NonceBytes + TagBytes), sealedBytes.AsSpan(NonceBytes, TagBytes), plaintext, Encoding.UTF8.GetBytes(context));
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new WebhookSecretUnreadableException($"The stored webhook secret does not decrypt for '{context}': altered, or stored for another context.");
        }

        return Encoding.UTF8.GetString(plaintext);
    }

    // Not secret: 32 bits of the key's SHA-256, only to pick the key on decryption.
    private static string KeyId(byte[] key) => Convert.ToHexStringLower(SHA256.HashData(key).AsSpan(0, KeyIdBytes));
}

/// <summary>A stored webhook secret cannot be decrypted. The message never contains the secret or the key.</summary>
public sealed class WebhookSecretUnreadableException(string message) : Exception(message);
