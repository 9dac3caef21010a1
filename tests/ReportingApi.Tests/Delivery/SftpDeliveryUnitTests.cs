using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Renci.SshNet.Common;
using ReportingApi.Delivery;
using ReportingApi.Delivery.Connector;
using ReportingApi.Delivery.Sftp;
using ReportingApi.PartnerAdmin;
using ReportingApi.Secrets;
using ReportingApi.Testing;
using ReportingApi.TestSupport;
using SftpStatus = Renci.SshNet.Sftp.StatusCode;

namespace ReportingApi.Tests.Delivery;

/// <summary>
/// The parts of SFTP delivery that need no server: host key pinning, target and reference checks, reading the login
/// from the secret source, and the reasons failures get. The real sshd tests are in the integration tests.
/// </summary>
public sealed class SftpDeliveryUnitTests : IDisposable
{
    private const string Ed25519Key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";

    // What `ssh-keygen -l -E sha256` prints for Ed25519Key.
    private const string Ed25519Fingerprint = "SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU";

    private const string EcdsaKey = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBHGm5mZ40ZaKhcVvIaWUOQowqH2NbdjHpmv6Er97KXa0/vmfnBc+koSP3lY53mK2vy99iQqAH6XwvVjwXEdUq8Y=";
    private const string EcdsaFingerprint = "SHA256:w2FelEX1850L8ZmKUlKcs7D/8rz2/iqWzeSMMHhVld4";

    private readonly TempFolderObjectStore _store = new();

    public void Dispose() => _store.Dispose();

    [Theory]
    [InlineData(Ed25519Key, Ed25519Key)]
    [InlineData(Ed25519Key + " root@partner", Ed25519Key)]
    [InlineData("[sftp.partner.example]:2222 " + Ed25519Key + " root@partner", Ed25519Key)]
    [InlineData("sftp.partner.example,203.0.113.7\t" + EcdsaKey, EcdsaKey)]
    public void A_host_key_is_read_from_a_known_hosts_line_and_kept_as_type_and_key(string line, string stored)
    {
        Assert.True(SshHostKey.TryParse(line, out var key));
        Assert.Equal(stored, key.ToString());
    }

    [Theory]
    [InlineData("ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl")]
    [InlineData("SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU")]
    [InlineData("ssh-ed25519 not-base64!")]
    [InlineData("ssh-ed25519")]
    [InlineData("@revoked " + Ed25519Key)]
    [InlineData("@cert-authority *.example " + Ed25519Key)]
    [InlineData("ssh-dss AAAAB3NzaC1kc3MAAACBAP")]
    [InlineData("")]
    [InlineData(null)]
    public void Anything_else_is_not_a_host_key(string? line)
    {
        Assert.False(SshHostKey.TryParse(line, out _));
    }

    [Theory]
    [InlineData(Ed25519Key, Ed25519Fingerprint, new[] { "ssh-ed25519" })]
    [InlineData(EcdsaKey, EcdsaFingerprint, new[] { "ecdsa-sha2-nistp256" })]
    public void The_fingerprint_is_the_one_ssh_keygen_prints_and_only_the_keys_type_is_offered(string line, string fingerprint, string[] algorithms)
    {
        Assert.True(SshHostKey.TryParse(line, out var key));

        Assert.Equal(fingerprint, key.Fingerprint);
        Assert.Equal(algorithms, key.Algorithms);
    }

    [Fact]
    public void An_rsa_host_key_is_checked_with_sha2_signatures_first()
    {
        var blob = KeyBlob("ssh-rsa");

        Assert.True(SshHostKey.TryParse("ssh-rsa " + blob, out var key));
        Assert.Equal(["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"], key.Algorithms);
    }

    [Theory]
    [InlineData(null, "u", true, "Host")]
    [InlineData("not a host!", "u", true, "Host")]
    [InlineData("host", " ", true, "User")]
    [InlineData("host", "u", false, "HostKey")]
    public void A_target_that_is_incomplete_is_refused_for_good(string? host, string user, bool withHostKey, string named)
    {
        var target = new DeliveryTarget(DeliveryKind.Sftp, "/in", Host: host, Port: 22, User: user, HostKey: withHostKey ? Ed25519Key : null, PasswordSecret: "p");

        var error = Assert.Throws<DeliveryException>(() => SftpServer.From(target));

        Assert.False(error.Transient);
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SecretsProvider.Files, "partners/7/id_ed25519", true)]
    [InlineData(SecretsProvider.Files, "sftp-password", true)]
    [InlineData(SecretsProvider.Files, "/etc/reportingapi/keys/partner-7", false)]
    [InlineData(SecretsProvider.Files, "partners/../../appsettings.json", false)]
    [InlineData(SecretsProvider.Files, "partners//id", false)]
    [InlineData(SecretsProvider.Files, "arn:aws:secretsmanager:eu-central-1:123456789012:secret:reportingapi/partners/7/sftp-AbCdEf", false)]
    [InlineData(SecretsProvider.SecretsManager, "arn:aws:secretsmanager:eu-central-1:123456789012:secret:reportingapi/partners/7/sftp-AbCdEf", true)]
    [InlineData(SecretsProvider.SecretsManager, "reportingapi/partners/7/sftp", true)]
    [InlineData(SecretsProvider.SecretsManager, "arn:aws:s3:::bucket/key", false)]
    [InlineData(SecretsProvider.SecretsManager, "a key file path\\with spaces", false)]
    [InlineData(SecretsProvider.SecretsManager, " ", false)]
    public void A_secret_reference_must_fit_the_secret_source_in_use(SecretsProvider provider, string reference, bool valid)
    {
        Assert.Equal(valid, SecretReferences.Problem(reference, provider) is null);
    }

    [Fact]
    public async Task References_to_files_are_read_inside_the_secrets_folder_and_others_as_they_are()
    {
        var files = new FakeSecretSource(SecretsProvider.Files);
        files.Stored[Path.Combine("secrets-folder", "partners/7/password")] = "from the folder";
        var manager = new FakeSecretSource(SecretsProvider.SecretsManager);
        manager.Stored["reportingapi/partners/7/sftp"] = "from Secrets Manager";
        var options = Options.Create(new SecretsOptions { FolderPath = "secrets-folder" });

        Assert.Equal("from the folder", await new SecretReferences(files, options).GetAsync("partners/7/password", default));
        Assert.Equal("from Secrets Manager", await new SecretReferences(manager, options).GetAsync("reportingapi/partners/7/sftp", default));
    }

    [Fact]
    public void The_admin_api_takes_secrets_manager_references_when_that_is_the_secret_source()
    {
        var request = new DeliveryRequest("Sftp", "/in", null, "sftp.partner.example", 22, "reports", Ed25519Key,
            "reportingapi/partners/7/sftp", null, "arn:aws:secretsmanager:eu-central-1:123456789012:secret:reportingapi/partners/7/pw-AbCdEf", null);

        var (target, errors) = request.Validate(SecretsProvider.SecretsManager);

        Assert.Empty(errors);
        Assert.Equal("reportingapi/partners/7/sftp", target!.PrivateKeySecret);
        Assert.Equal("arn:aws:secretsmanager:eu-central-1:123456789012:secret:reportingapi/partners/7/pw-AbCdEf", target.PasswordSecret);
        Assert.False(request.Validate(SecretsProvider.Files).Errors.Count == 0);
    }

    public static TheoryData<string, string?, bool, string> LoginSecretProblems() => new()
    {
        { "missing", null, false, "The SFTP password secret does not exist in the secret source." },
        { "denied", null, false, "The SFTP password secret may not be read (access denied)." },
        { "empty", "\n", false, "The SFTP password secret is empty." },
        { "json-without-password", """{"Username": "reports", "PrivateKey": "-----BEGIN OPENSSH PRIVATE KEY-----"}""", false, "The SFTP password secret is JSON without a \"Password\" string." },
    };

    [Theory]
    [MemberData(nameof(LoginSecretProblems))]
    public async Task A_login_secret_that_cannot_be_had_fails_before_connecting_and_says_so_without_the_reference(string reference, string? value, bool transient, string reason)
    {
        var secrets = new FakeSecretSource();
        if (value is not null)
        {
            secrets.Stored[reference] = value;
        }

        secrets.Failing["denied"] = true;
        var target = Target() with { PasswordSecret = reference };

        var error = await Assert.ThrowsAsync<DeliveryException>(() => Delivery(secrets).DeliverAsync(target, [new DeliveryFile("out/r.pgp", "r.pgp")], default));

        Assert.Equal(transient, error.Transient);
        Assert.Equal(reason, error.Message);
    }

    [Fact]
    public async Task A_private_key_secret_that_is_no_key_is_refused_without_quoting_it()
    {
        var secrets = new FakeSecretSource();
        secrets.Stored["key"] = "-----BEGIN OPENSSH PRIVATE KEY-----\nbm90IGEga2V5IGF0IGFsbA==\n-----END OPENSSH PRIVATE KEY-----\n";

        var error = await Assert.ThrowsAsync<DeliveryException>(() =>
            Delivery(secrets).DeliverAsync(Target() with { PrivateKeySecret = "key" }, [new DeliveryFile("out/r.pgp", "r.pgp")], default));

        Assert.False(error.Transient);
        Assert.StartsWith("The SFTP private key could not be read: it must be an RSA, ECDSA or Ed25519 private key", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("bm90", error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<Exception, string, bool, string> Failures() => new()
    {
        { new SocketException((int)SocketError.HostNotFound), "Connecting", true, "Could not reach SFTP server sftp.partner.example:2222: the host name does not resolve (DNS: HostNotFound)." },
        { new SocketException((int)SocketError.ConnectionRefused), "Connecting", true, "Could not reach SFTP server sftp.partner.example:2222: connection refused (nothing listens on port 2222)." },
        { new SocketException((int)SocketError.NetworkUnreachable), "Connecting", true, "Could not reach SFTP server sftp.partner.example:2222: " },
        { new OperationCanceledException(), "Connecting", true, "Could not reach SFTP server sftp.partner.example:2222: no SSH answer within 20 s." },
        { new SshConnectionException("No matching host key algorithm (server offers rsa-sha2-512)"), "Connecting", false, $"SFTP server sftp.partner.example:2222 has no ssh-ed25519 host key, the type of the pinned key {Ed25519Fingerprint}" },
        { new SshAuthenticationException("Permission denied (publickey)."), "Connecting", false, "SFTP server sftp.partner.example:2222 refused the login of user 'reports' by password." },
        { new SftpPermissionDeniedException("Permission denied"), "Uploading", false, "SFTP server sftp.partner.example:2222 denied permission to write /in/r.pgp.part." },
        { new SftpPermissionDeniedException("Permission denied"), "Renaming", false, "SFTP server sftp.partner.example:2222 denied permission to rename /in/r.pgp.part to /in/r.pgp." },
        { new SftpPathNotFoundException("No such file"), "Uploading", false, "SFTP server sftp.partner.example:2222 has no directory /in to upload to." },
        { new SftpException((SftpStatus)14, "No space left on device"), "Uploading", true, "SFTP server sftp.partner.example:2222 has no space left while uploading /in/r.pgp (0 bytes sent)." },
        { new SftpException(SftpStatus.Failure, "Disk quota exceeded"), "Uploading", true, "SFTP server sftp.partner.example:2222 has no space left while uploading /in/r.pgp" },
        { new SftpException(SftpStatus.Failure, "Failure"), "Uploading", true, "SFTP server sftp.partner.example:2222 failed while uploading /in/r.pgp (0 bytes sent): Failure (status Failure)." },
        { new SshOperationTimeoutException("Timeout"), "Uploading", true, "SFTP server sftp.partner.example:2222 did not answer for 60 s while uploading /in/r.pgp (0 bytes sent)." },
        { new SshConnectionException("An established connection was aborted by the server."), "Uploading", true, "The connection to SFTP server sftp.partner.example:2222 was lost while uploading /in/r.pgp (0 bytes sent)" },
        { new SshConnectionException("Client not connected."), "Renaming", true, "The connection to SFTP server sftp.partner.example:2222 was lost while renaming /in/r.pgp.part to /in/r.pgp" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Each_kind_of_failure_gets_a_reason_and_says_whether_a_retry_can_help(Exception exception, string step, bool transient, string reason)
    {
        var attempt = Attempt(Enum.Parse<SftpStep>(step));

        var error = SftpFailures.Describe(exception, attempt, new SftpDeliveryOptions());

        Assert.Equal(transient, error.Transient);
        Assert.StartsWith(reason, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(4096UL, true)]
    [InlineData(50UL * 1024 * 1024 * 1024, false)]
    public void A_bare_failure_while_writing_is_a_full_disk_when_the_server_says_there_is_no_space(ulong freeBytes, bool full)
    {
        var error = SftpFailures.Describe(new SftpException(SftpStatus.Failure, "Failure"), Attempt(SftpStep.Uploading), new SftpDeliveryOptions(), freeBytes);

        Assert.Equal(full, error.Message.Contains("has no space left", StringComparison.Ordinal));
        Assert.True(error.Transient);
    }

    [Fact]
    public void A_host_key_that_is_not_the_pinned_one_is_named_by_its_fingerprint_whatever_was_thrown()
    {
        var attempt = Attempt(SftpStep.Connecting);
        Assert.True(SshHostKey.TryParse(EcdsaKey, out var presented));
        attempt.HostKeyPresented(presented.Blob, trusted: false);

        var error = SftpFailures.Describe(new SshConnectionException("Key exchange negotiation failed."), attempt, new SftpDeliveryOptions());

        Assert.False(error.Transient);
        Assert.Equal(
            $"SFTP server sftp.partner.example:2222 presented host key {EcdsaFingerprint}, not the pinned {Ed25519Fingerprint} (ssh-ed25519): refused, nothing was sent.",
            error.Message);
    }

    private static SftpAttempt Attempt(SftpStep step)
    {
        var attempt = new SftpAttempt(SftpServer.From(Target()), "password");
        if (step == SftpStep.Uploading)
        {
            attempt.Upload("/in/r.pgp");
        }
        else if (step == SftpStep.Renaming)
        {
            attempt.Rename("/in/r.pgp");
        }

        return attempt;
    }

    private SftpDelivery Delivery(ISecretSource secrets) =>
        new(_store, new SecretReferences(secrets, Options.Create(new SecretsOptions())), Options.Create(new SftpDeliveryOptions()), NullLogger<SftpDelivery>.Instance);

    private static DeliveryTarget Target() =>
        new(DeliveryKind.Sftp, "/in", Host: "sftp.partner.example", Port: 2222, User: "reports", HostKey: Ed25519Key, PasswordSecret: "password");

    /// <summary>An SSH public key blob: the type as a length-prefixed string, then (here arbitrary) key bytes.</summary>
    private static string KeyBlob(string type)
    {
        var typeBytes = Encoding.ASCII.GetBytes(type);
        var blob = new byte[4 + typeBytes.Length + 36];
        BinaryPrimitives.WriteUInt32BigEndian(blob, (uint)typeBytes.Length);
        typeBytes.CopyTo(blob, 4);
        BinaryPrimitives.WriteUInt32BigEndian(blob.AsSpan(4 + typeBytes.Length), 32);
        return Convert.ToBase64String(blob);
    }
}
