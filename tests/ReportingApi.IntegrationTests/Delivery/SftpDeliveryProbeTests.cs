using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using ReportingApi.Delivery;
using ReportingApi.Delivery.Connector;
using ReportingApi.Delivery.Sftp;
using ReportingApi.IntegrationTests.Infrastructure;
using ReportingApi.Secrets;

namespace ReportingApi.IntegrationTests.Delivery;

/// <summary>The SFTP delivery test against a real OpenSSH sshd: each kind of fault fails at its own check, and no probe file stays.</summary>
public sealed class SftpDeliveryProbeTests(SshdServer server) : IClassFixture<SshdServer>
{
    private static readonly string[] AllChecks =
        [SftpDeliveryProbe.Dns, SftpDeliveryProbe.TcpConnect, SftpDeliveryProbe.HostKey, SftpDeliveryProbe.Login, SftpDeliveryProbe.DirectoryWritable];

    [Fact]
    public async Task A_good_target_passes_every_check_and_keeps_no_probe_file()
    {
        var inbound = server.CreateUploadDirectory("probe-good");

        var byKey = await Probe().ProbeAsync(server.Target(inbound), default);
        var byPassword = await Probe().ProbeAsync(server.PasswordTarget(inbound), default);

        Assert.All([byKey, byPassword], checks =>
        {
            Assert.Equal(AllChecks, checks.Select(check => check.Name));
            Assert.All(checks, check => Assert.Equal(DeliveryCheckOutcome.Ok, check.Outcome));
        });
        Assert.Empty(Directory.EnumerateFileSystemEntries(inbound));
        Assert.Contains($"Accepted password for {SshdServer.PasswordUser}", server.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_host_key_fails_the_host_key_check()
    {
        var inbound = server.CreateUploadDirectory("probe-host-key");
        var otherKey = await SshdServer.GenerateKeyPairAsync(Path.Combine(server.WorkDirectory, $"other-{Guid.NewGuid():N}"));

        var checks = await Probe().ProbeAsync(server.Target(inbound, hostKey: otherKey), default);

        var failed = AssertFailsAt(checks, SftpDeliveryProbe.HostKey);
        Assert.Contains("presented host key SHA256:", failed.Reason, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(inbound));
    }

    [Fact]
    public async Task A_wrong_password_fails_the_login_check_without_showing_it()
    {
        var inbound = server.CreateUploadDirectory("probe-password");
        var secret = $"wrong-password-{Guid.NewGuid():N}";
        await File.WriteAllTextAsync(Path.Combine(server.SecretsFolder, secret), "not-the-password\n");

        var checks = await Probe().ProbeAsync(server.PasswordTarget(inbound, passwordSecret: secret), default);

        var failed = AssertFailsAt(checks, SftpDeliveryProbe.Login);
        Assert.Contains($"refused the login of user '{SshdServer.PasswordUser}'", failed.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password", failed.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, failed.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_login_secret_fails_the_login_check_after_the_host_key_passed()
    {
        var inbound = server.CreateUploadDirectory("probe-no-secret");

        var checks = await Probe().ProbeAsync(server.PasswordTarget(inbound, passwordSecret: "no-such-secret"), default);

        AssertFailsAt(checks, SftpDeliveryProbe.Login);
    }

    [Fact]
    public async Task An_unwritable_directory_fails_the_directory_check_and_leaves_nothing()
    {
        var readOnly = server.CreateReadOnlyDirectory($"probe-read-only-{Guid.NewGuid():N}");

        var checks = await Probe().ProbeAsync(server.PasswordTarget(readOnly), default);

        var failed = AssertFailsAt(checks, SftpDeliveryProbe.DirectoryWritable);
        Assert.Contains("denied permission to write", failed.Reason, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(readOnly));
    }

    [Fact]
    public async Task A_missing_directory_fails_the_directory_check()
    {
        var checks = await Probe().ProbeAsync(server.Target(Path.Combine(server.UploadDirectory, $"missing-{Guid.NewGuid():N}")), default);

        var failed = AssertFailsAt(checks, SftpDeliveryProbe.DirectoryWritable);
        Assert.Contains("has no directory", failed.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_closed_port_fails_the_tcp_check()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var checks = await Probe().ProbeAsync(server.Target("/tmp", port: closedPort), default);

        var failed = AssertFailsAt(checks, SftpDeliveryProbe.TcpConnect);
        Assert.Contains("refused", failed.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_host_name_that_does_not_resolve_fails_the_dns_check()
    {
        var checks = await Probe().ProbeAsync(server.Target("/tmp") with { Host = "no-such-host.invalid" }, default);

        AssertFailsAt(checks, SftpDeliveryProbe.Dns);
    }

    /// <summary>Every check before <paramref name="name"/> passed, it failed with a reason, and every later one was skipped.</summary>
    private static DeliveryCheck AssertFailsAt(IReadOnlyList<DeliveryCheck> checks, string name)
    {
        Assert.Equal(AllChecks, checks.Select(check => check.Name));
        var index = Array.IndexOf(AllChecks, name);
        Assert.All(checks.Take(index), check => Assert.Equal(DeliveryCheckOutcome.Ok, check.Outcome));
        Assert.All(checks.Skip(index + 1), check => Assert.Equal(DeliveryCheckOutcome.Skipped, check.Outcome));
        var failed = checks[index];
        Assert.True(failed.Outcome == DeliveryCheckOutcome.Failed, $"{name}: {failed.Outcome}");
        Assert.False(string.IsNullOrWhiteSpace(failed.Reason));
        return failed;
    }

    private SftpDeliveryProbe Probe() => new(
        new SecretReferences(
            new FileSecretSource(new HostingEnvironment { ContentRootPath = server.WorkDirectory }),
            Options.Create(new SecretsOptions { FolderPath = server.SecretsFolder })),
        Options.Create(new SftpDeliveryOptions { ConnectTimeout = TimeSpan.FromSeconds(10), IdleTimeout = TimeSpan.FromSeconds(10) }),
        new FakeLogger<SftpDeliveryProbe>());
}
