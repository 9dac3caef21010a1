using System.Text;
using Renci.SshNet;
using Renci.SshNet.Common;
using ReportingApi.Secrets;

namespace ReportingApi.Delivery.Sftp;

/// <summary>
/// How a delivery logs in to an SFTP server: a private key (RSA, ECDSA or Ed25519, in OpenSSH or PEM form, with an
/// optional passphrase) and/or a password, each read through the secret source by the reference stored with the
/// target, at every delivery, so a rotated secret is used without a restart. A secret is either the value itself (a
/// key file; a password or passphrase on its first line) or a JSON object with <c>PrivateKey</c>, <c>Passphrase</c>
/// and <c>Password</c> fields, the shape of an AWS Transfer Family connector's secret, so that one secret can serve
/// both. Failures name what is missing, never a value.
/// </summary>
internal sealed class SftpLogin : IDisposable
{
    private const string PrivateKeyField = "PrivateKey";
    private const string PassphraseField = "Passphrase";
    private const string PasswordField = "Password";

    private readonly List<IDisposable> _owned;

    private SftpLogin(List<AuthenticationMethod> methods, List<IDisposable> owned, string description)
    {
        Methods = methods;
        _owned = owned;
        Description = description;
    }

    /// <summary>Tried in this order: the key first, then the password.</summary>
    public IReadOnlyList<AuthenticationMethod> Methods { get; }

    /// <summary>What the login offers, for failure reasons: "private key", "password" or both.</summary>
    public string Description { get; }

    public static async Task<SftpLogin> ReadAsync(DeliveryTarget target, SecretReferences secrets, ILogger logger, CancellationToken cancellationToken)
    {
        var user = target.User!;
        var methods = new List<AuthenticationMethod>();
        var owned = new List<IDisposable>();
        var kinds = new List<string>();
        try
        {
            if (target.PrivateKeySecret is { } keyReference)
            {
                var keySecret = await ReadAsync(secrets, keyReference, "private key", logger, cancellationToken);
                var passphrase = target.PassphraseSecret is { } passphraseReference
                    ? (await ReadAsync(secrets, passphraseReference, "private key passphrase", logger, cancellationToken)).Value(PassphraseField, firstLine: true)
                    : keySecret.OptionalField(PassphraseField);
                var key = LoadKey(keySecret.Value(PrivateKeyField, firstLine: false), passphrase, keyReference, logger);
                owned.Add(key);
                var method = new PrivateKeyAuthenticationMethod(user, key);
                owned.Add(method);
                methods.Add(method);
                kinds.Add("private key");
            }

            if (target.PasswordSecret is { } passwordReference)
            {
                var password = (await ReadAsync(secrets, passwordReference, "password", logger, cancellationToken)).Value(PasswordField, firstLine: true);
                var passwordMethod = new PasswordAuthenticationMethod(user, password);
                owned.Add(passwordMethod);
                methods.Add(passwordMethod);

                // Servers that check passwords through PAM often offer only keyboard-interactive: answer its prompts with the password.
                var interactive = new KeyboardInteractiveAuthenticationMethod(user);
                interactive.AuthenticationPrompt += (_, e) =>
                {
                    foreach (var prompt in e.Prompts)
                    {
                        prompt.Response = password;
                    }
                };
                owned.Add(interactive);
                methods.Add(interactive);
                kinds.Add("password");
            }
        }
        catch
        {
            owned.ForEach(o => o.Dispose());
            throw;
        }

        return methods.Count > 0
            ? new SftpLogin(methods, owned, string.Join(" or ", kinds))
            : throw new DeliveryException("The SFTP delivery target has neither a private key nor a password secret.", transient: false);
    }

    public void Dispose() => _owned.ForEach(o => o.Dispose());

    private static async Task<LoginSecret> ReadAsync(SecretReferences secrets, string reference, string what, ILogger logger, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await secrets.GetAsync(reference, cancellationToken);
        }
        catch (SecretSourceException e)
        {
            // The reason goes to the partner's run record: it says what failed; the log names the reference for operators.
            logger.LogWarning("The SFTP {What} secret {Reference} could not be read from {Provider}: {Error}", what, reference, secrets.Provider, e.Message);
            throw e switch
            {
                SecretNotFoundException => new DeliveryException($"The SFTP {what} secret does not exist in the secret source.", transient: false, e),
                SecretAccessDeniedException => new DeliveryException($"The SFTP {what} secret may not be read (access denied).", transient: false, e),
                _ => new DeliveryException($"The SFTP {what} secret could not be read from the secret source.", transient: true, e),
            };
        }

        return new LoginSecret(text, JsonSecret.Fields(text), what);
    }

    private static PrivateKeyFile LoadKey(string keyText, string? passphrase, string reference, ILogger logger)
    {
        try
        {
            using var stream = new MemoryStream(Encoding.UTF8.GetBytes(keyText));
            return new PrivateKeyFile(stream, passphrase);
        }
        catch (SshPassPhraseNullOrEmptyException)
        {
            logger.LogWarning("The SFTP private key {Reference} is encrypted, and no passphrase is set", reference);
            throw new DeliveryException("The SFTP private key is encrypted, but the target has no passphrase secret.", transient: false);
        }
        catch (Exception e)
        {
            // SSH.NET's messages say what it could not parse, never the key's content.
            logger.LogWarning("The SFTP private key {Reference} could not be used: {Error}", reference, e.Message);
            throw new DeliveryException(
                "The SFTP private key could not be read: it must be an RSA, ECDSA or Ed25519 private key in OpenSSH or PEM form (and the passphrase must be right).",
                transient: false);
        }
    }

    /// <summary>A secret's text, and its string fields when it is a JSON object (names matched without regard to case).</summary>
    private sealed record LoginSecret(string Text, IReadOnlyDictionary<string, string>? Fields, string What)
    {
        /// <summary>The JSON field (required in a JSON secret), else the text: whole for a key, the first line for a password or passphrase.</summary>
        public string Value(string field, bool firstLine)
        {
            var value = Fields is null
                ? firstLine ? JsonSecret.FirstLine(Text) : Text
                : Fields.GetValueOrDefault(field) ?? throw new DeliveryException($"The SFTP {What} secret is JSON without a \"{field}\" string.", transient: false);
            return string.IsNullOrWhiteSpace(value) ? throw new DeliveryException($"The SFTP {What} secret is empty.", transient: false) : value;
        }

        public string? OptionalField(string field) => Fields?.GetValueOrDefault(field);

        // A record's generated ToString would print the secret.
        public override string ToString() => $"SFTP {What} secret";
    }
}
