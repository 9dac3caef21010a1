using System.Text;
using ReportingApi.TestSupport.Aws;
using ReportingApi.TestSupport.Lambda;
using ReportingApi.TestSupport.Webhooks;
using ReportingApi.Webhooks;

namespace ReportingApi.Tests.Webhooks;

public sealed class WebhookSignatureTests
{
    private const long Timestamp = 1_767_225_600; // 2026-01-01T00:00:00Z
    private static readonly DateTimeOffset SignedAt = DateTimeOffset.FromUnixTimeSeconds(Timestamp);
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"id":"evt_1","type":"run.delivered","data":{"fileName":"Zahlungsübersicht.csv.pgp"}}""");

    [Fact]
    public async Task The_signature_is_openssls_HMAC_SHA256_of_timestamp_dot_body_under_the_whole_secret()
    {
        const string secret = "whsec_test-secret";
        var bodyFile = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(bodyFile, [.. Encoding.ASCII.GetBytes($"{Timestamp}."), .. Body]);
            var openssl = await AwsTools.RunAsync("openssl", ["dgst", "-sha256", "-hmac", secret, "-r", bodyFile], TimeSpan.FromSeconds(30));

            Assert.Equal(0, openssl.ExitCode);
            Assert.Equal(openssl.Output.Split(' ')[0], WebhookSignature.Sign(secret, Timestamp, Body));
        }
        finally
        {
            File.Delete(bodyFile);
        }
    }

    [Fact]
    public void The_header_carries_t_and_one_v1_per_secret_and_verifies_with_either_secret_during_a_rotation()
    {
        var previous = WebhookSecrets.Generate();
        var current = WebhookSecrets.Generate();

        var header = WebhookSignature.HeaderValue(Timestamp, Body, [current, previous]);

        Assert.Equal($"t={Timestamp}, v1={WebhookSignature.Sign(current, Timestamp, Body)}, v1={WebhookSignature.Sign(previous, Timestamp, Body)}", header);
        Assert.Equal(WebhookVerification.Valid, Verify(header, Body, [previous]));
        Assert.Equal(WebhookVerification.Valid, Verify(header, Body, [current]));
        Assert.Equal(WebhookVerification.NoMatchingSignature, Verify(header, Body, [WebhookSecrets.Generate()]));
    }

    [Fact]
    public void A_changed_body_or_timestamp_does_not_verify()
    {
        var secret = WebhookSecrets.Generate();
        var header = WebhookSignature.HeaderValue(Timestamp, Body, [secret]);
        var changedBody = Body.ToArray();
        changedBody[^2] ^= 1;
        var laterHeader = header.Replace($"t={Timestamp}", $"t={Timestamp + 1}", StringComparison.Ordinal);

        Assert.Equal(WebhookVerification.Valid, Verify(header, Body, [secret]));
        Assert.Equal(WebhookVerification.NoMatchingSignature, Verify(header, changedBody, [secret]));
        Assert.Equal(WebhookVerification.NoMatchingSignature, Verify(laterHeader, Body, [secret]));
    }

    [Theory]
    [InlineData(-301, WebhookVerification.OutsideTolerance)]
    [InlineData(-300, WebhookVerification.Valid)]
    [InlineData(300, WebhookVerification.Valid)]
    [InlineData(301, WebhookVerification.OutsideTolerance)]
    public void A_timestamp_beyond_the_tolerance_is_refused_as_a_replay(int receivedSecondsLater, WebhookVerification expected)
    {
        var secret = WebhookSecrets.Generate();
        var header = WebhookSignature.HeaderValue(Timestamp, Body, [secret]);

        var verification = WebhookSignatureVerifier.Verify(header, Body, [secret], SignedAt.AddSeconds(receivedSecondsLater), WebhookSignatureVerifier.DefaultTolerance);

        Assert.Equal(expected, verification);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void One_or_two_secrets_sign_never_none_or_more(int count)
    {
        var secrets = Enumerable.Range(0, count).Select(_ => WebhookSecrets.Generate()).ToList();

        Assert.Throws<ArgumentException>(() => WebhookSignature.HeaderValue(Timestamp, Body, secrets));
    }

    [Fact]
    public async Task The_readme_shell_snippet_accepts_what_the_app_signs_and_refuses_another_secret()
    {
        var secret = WebhookSecrets.Generate();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = WebhookSignature.HeaderValue(now, Body, [WebhookSecrets.Generate(), secret]);
        var bodyFile = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(bodyFile, Body);

            var valid = await RunSnippetAsync(secret, bodyFile, header);
            var wrongSecret = await RunSnippetAsync(WebhookSecrets.Generate(), bodyFile, header);
            var old = await RunSnippetAsync(secret, bodyFile, WebhookSignature.HeaderValue(now - 3600, Body, [secret]));

            Assert.True(valid.ExitCode == 0, valid.Errors);
            Assert.Equal(1, wrongSecret.ExitCode);
            Assert.Contains("no v1 signature matches", wrongSecret.Errors, StringComparison.Ordinal);
            Assert.Equal(1, old.ExitCode);
            Assert.Contains("more than 300 s", old.Errors, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(bodyFile);
        }
    }

    private static WebhookVerification Verify(string header, byte[] body, IEnumerable<string> secrets) =>
        WebhookSignatureVerifier.Verify(header, body, secrets, SignedAt, WebhookSignatureVerifier.DefaultTolerance);

    private static Task<ToolResult> RunSnippetAsync(string secret, string bodyFile, string header) =>
        AwsTools.RunAsync(
            "env",
            [$"WEBHOOK_SECRET={secret}", "sh", Path.Combine(AppProcess.RepositoryRoot(), "tests/ReportingApi.Tests/Webhooks/verify-webhook-signature.sh"), bodyFile, header],
            TimeSpan.FromSeconds(30));
}
