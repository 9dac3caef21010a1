using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using ReportingApi.Webhooks;

namespace ReportingApi.Tests.Webhooks;

public sealed class WebhookSecretTests
{
    private const string Context = "partner:7/webhook-secret:1";

    [Fact]
    public void A_new_secret_is_whsec_and_256_random_bits_in_base64url()
    {
        var secrets = Enumerable.Range(0, 100).Select(_ => WebhookSecrets.Generate()).ToList();

        Assert.All(secrets, secret =>
        {
            Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
            Assert.Equal(32, Base64Url.DecodeFromChars(secret.AsSpan(6)).Length);
            Assert.DoesNotContain(secret, c => c is '+' or '/' or '=');
        });
        Assert.Equal(secrets.Count, secrets.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void The_fingerprint_tells_secrets_apart_without_containing_them()
    {
        var secret = WebhookSecrets.Generate();

        var fingerprint = WebhookSecrets.Fingerprint(secret);

        Assert.Matches("^sha256:[0-9a-f]{16}$", fingerprint);
        Assert.Equal(fingerprint, WebhookSecrets.Fingerprint(secret));
        Assert.NotEqual(fingerprint, WebhookSecrets.Fingerprint(WebhookSecrets.Generate()));
        Assert.DoesNotContain(secret[6..16], fingerprint, StringComparison.Ordinal);
    }

    [Fact]
    public void A_protected_secret_reads_back_for_its_context_only_and_does_not_contain_the_secret()
    {
        var protector = new WebhookSecretProtector([NewKey()]);
        var secret = WebhookSecrets.Generate();

        var stored = protector.Protect(secret, Context);

        Assert.Matches("^v1\\.[0-9a-f]{8}\\.[A-Za-z0-9_-]+$", stored);
        Assert.DoesNotContain(secret[6..], stored, StringComparison.Ordinal);
        Assert.NotEqual(stored, protector.Protect(secret, Context));
        Assert.Equal(secret, protector.Unprotect(stored, Context));
        var elsewhere = Assert.Throws<WebhookSecretUnreadableException>(() => protector.Unprotect(stored, "partner:8/webhook-secret:1"));
        Assert.DoesNotContain(secret, elsewhere.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_altered_value_or_a_foreign_key_is_refused()
    {
        var protector = new WebhookSecretProtector([NewKey()]);
        var stored = protector.Protect(WebhookSecrets.Generate(), Context);
        var sealedBytes = Base64Url.DecodeFromChars(stored.Split('.')[2]);
        sealedBytes[^1] ^= 1;
        var altered = string.Join('.', stored.Split('.')[..2]) + "." + Base64Url.EncodeToString(sealedBytes);

        Assert.Throws<WebhookSecretUnreadableException>(() => protector.Unprotect(altered, Context));
        var foreign = Assert.Throws<WebhookSecretUnreadableException>(() => new WebhookSecretProtector([NewKey()]).Unprotect(stored, Context));
        Assert.Contains("not configured", foreign.Message, StringComparison.Ordinal);
        Assert.Throws<WebhookSecretUnreadableException>(() => protector.Unprotect("whsec_plain", Context));
    }

    [Fact]
    public void After_the_encryption_key_is_rotated_old_values_still_read_and_new_ones_use_the_new_key()
    {
        var oldKey = NewKey();
        var newKey = NewKey();
        var secret = WebhookSecrets.Generate();
        var storedBefore = new WebhookSecretProtector([oldKey]).Protect(secret, Context);
        var rotated = new WebhookSecretProtector([newKey, oldKey]);

        var storedAfter = rotated.Protect(secret, Context);

        Assert.Equal(secret, rotated.Unprotect(storedBefore, Context));
        Assert.NotEqual(storedBefore.Split('.')[1], storedAfter.Split('.')[1]);
        Assert.Throws<WebhookSecretUnreadableException>(() => new WebhookSecretProtector([oldKey]).Unprotect(storedAfter, Context));
    }

    [Fact]
    public void A_key_is_32_bytes_of_base64_and_a_wrong_one_is_refused_without_quoting_it()
    {
        var key = NewKey();

        Assert.Equal(key, WebhookSecretProtector.ParseKey(Convert.ToBase64String(key) + "\n"));
        var tooShort = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var refused = Assert.Throws<FormatException>(() => WebhookSecretProtector.ParseKey(tooShort));
        Assert.DoesNotContain(tooShort, refused.Message, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => WebhookSecretProtector.ParseKey(Convert.ToBase64String(RandomNumberGenerator.GetBytes(33))));
        Assert.Throws<ArgumentException>(() => new WebhookSecretProtector([key, key.ToArray()]));
        Assert.Throws<ArgumentException>(() => new WebhookSecretProtector([Encoding.UTF8.GetBytes("short")]));
    }

    [Fact]
    public void A_key_may_be_64_hex_digits_as_the_template_has_Secrets_Manager_generate_it()
    {
        var key = NewKey();

        Assert.Equal(key, WebhookSecretProtector.ParseKey(Convert.ToHexStringLower(key)));
        Assert.Equal(key, WebhookSecretProtector.ParseKey(Convert.ToHexString(key) + "\n"));
        // 64 characters that are not all hex digits are read as base64 (48 bytes here) and refused.
        Assert.Throws<FormatException>(() => WebhookSecretProtector.ParseKey(Convert.ToHexStringLower(key)[..63] + "g"));
        Assert.Throws<FormatException>(() => WebhookSecretProtector.ParseKey(Convert.ToHexStringLower(key)[..62]));
    }

    private static byte[] NewKey() => RandomNumberGenerator.GetBytes(32);
}
