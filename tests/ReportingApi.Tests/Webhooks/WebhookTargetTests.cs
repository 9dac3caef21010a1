using System.Net;
using System.Net.Sockets;
using ReportingApi.Webhooks;

namespace ReportingApi.Tests.Webhooks;

public sealed class WebhookTargetTests
{
    private const string PartnerHost = "hooks.partner.example";

    [Theory]
    [InlineData("10.0.0.1", "private")]
    [InlineData("10.255.255.255", "private")]
    [InlineData("172.16.0.1", "private")]
    [InlineData("172.31.255.254", "private")]
    [InlineData("192.168.1.10", "private")]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.1.2.3", "loopback")]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("169.254.0.1", "link-local")]
    [InlineData("100.64.0.1", "carrier-grade NAT")]
    [InlineData("100.127.255.254", "carrier-grade NAT")]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("239.255.255.250", "multicast")]
    [InlineData("255.255.255.255", "broadcast")]
    [InlineData("240.0.0.1", "reserved")]
    [InlineData("192.0.0.8", "IETF")]
    [InlineData("192.0.2.1", "documentation")]
    [InlineData("198.18.0.1", "benchmarking")]
    [InlineData("::1", "loopback")]
    [InlineData("::", "unspecified")]
    [InlineData("fc00::1", "unique local")]
    [InlineData("fd12:3456:789a::1", "unique local")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("ff02::1", "multicast")]
    [InlineData("::ffff:127.0.0.1", "IPv4-mapped loopback")]
    [InlineData("::ffff:10.0.0.1", "IPv4-mapped private")]
    [InlineData("::ffff:169.254.169.254", "IPv4-mapped link-local")]
    [InlineData("::127.0.0.1", "not global unicast")]
    [InlineData("64:ff9b::a00:1", "NAT64")]
    [InlineData("2001:db8::1", "documentation")]
    [InlineData("2002:a00:1::1", "6to4")]
    [InlineData("2001:0:4136:e378::1", "Teredo")]
    [InlineData("fd00:ec2::254", "unique local")]
    public void Non_public_addresses_are_refused_with_their_kind(string address, string kind)
    {
        var reason = ForbiddenAddresses.Reason(IPAddress.Parse(address), WebhookTargetRules.Production);

        Assert.NotNull(reason);
        Assert.Contains(kind, reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("93.184.215.14")]
    [InlineData("8.8.8.8")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.1")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.1")]
    [InlineData("169.253.255.255")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("2a05:d014::1")]
    [InlineData("::ffff:8.8.8.8")]
    public void Public_addresses_are_allowed(string address)
    {
        Assert.Null(ForbiddenAddresses.Reason(IPAddress.Parse(address), WebhookTargetRules.Production));
        Assert.Null(ForbiddenAddresses.Reason(IPAddress.Parse(address), WebhookTargetRules.Development));
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("10.0.0.1", false)]
    [InlineData("192.168.1.1", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("fd00::1", false)]
    public void Development_allows_loopback_and_nothing_else_that_is_not_public(string address, bool allowed)
    {
        Assert.Equal(allowed, ForbiddenAddresses.Reason(IPAddress.Parse(address), WebhookTargetRules.Development) is null);
    }

    [Fact]
    public void Only_allowed_addresses_are_connected_to_and_a_mapped_one_as_plain_IPv4()
    {
        IPAddress[] resolved = [IPAddress.Parse("10.0.0.5"), IPAddress.Parse("::ffff:93.184.215.14"), IPAddress.Parse("169.254.169.254"), IPAddress.Parse("2606:4700::1")];

        var allowed = WebhookConnectGuard.AllowedAddresses(resolved, WebhookTargetRules.Production);

        Assert.Equal([IPAddress.Parse("93.184.215.14"), IPAddress.Parse("2606:4700::1")], allowed);
    }

    [Theory]
    [InlineData("http://hooks.partner.example/in", "must use https")]
    [InlineData("ftp://hooks.partner.example/in", "absolute https URL")]
    [InlineData("/hooks/in", "absolute https URL")]
    [InlineData("hooks.partner.example/in", "absolute https URL")]
    [InlineData("", "is empty")]
    [InlineData("https://user:pass@hooks.partner.example/in", "user name or password")]
    [InlineData("https://hooks.partner.example/in#part", "fragment")]
    [InlineData("https://127.0.0.1/in", "loopback")]
    [InlineData("https://[::1]:8443/in", "loopback")]
    [InlineData("https://[::ffff:169.254.169.254]/latest/meta-data", "IPv4-mapped link-local")]
    [InlineData("https://169.254.169.254/latest/meta-data", "link-local")]
    [InlineData("https://2130706433/in", "loopback")]
    [InlineData("https://0x7f.1/in", "loopback")]
    [InlineData("https://10.1.2.3/in", "private")]
    [InlineData("https://internal.partner.example/in", "10.20.0.7 is private")]
    [InlineData("https://mixed.partner.example/in", "172.16.5.5 is private")]
    [InlineData("https://missing.partner.example/in", "does not resolve")]
    public async Task Refused_urls_outside_Development_say_why(string url, string problem)
    {
        var check = await Policy().CheckAsync(url, WebhookTargetRules.Production, CancellationToken.None);

        Assert.Null(check.Uri);
        Assert.Contains(problem, check.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://hooks.partner.example/in", WebhookTargetKind.Production)]
    [InlineData("https://hooks.partner.example:8443/in?source=reports", WebhookTargetKind.Production)]
    [InlineData("https://93.184.215.14/in", WebhookTargetKind.Production)]
    [InlineData("http://hooks.partner.example/in", WebhookTargetKind.Development)]
    [InlineData("http://127.0.0.1:5123/in", WebhookTargetKind.Development)]
    [InlineData("http://localhost:5123/in", WebhookTargetKind.Development)]
    [InlineData("https://[::1]:5123/in", WebhookTargetKind.Development)]
    public async Task Allowed_urls_pass(string url, WebhookTargetKind where)
    {
        var rules = where == WebhookTargetKind.Production ? WebhookTargetRules.Production : WebhookTargetRules.Development;

        var check = await Policy().CheckAsync(url, rules, CancellationToken.None);

        Assert.Null(check.Problem);
        Assert.Equal(new Uri(url), check.Uri);
    }

    [Theory]
    [InlineData("http://10.1.2.3/in")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://internal.partner.example/in")]
    public async Task Development_still_refuses_private_and_link_local_targets(string url)
    {
        var check = await Policy().CheckAsync(url, WebhookTargetRules.Development, CancellationToken.None);

        Assert.Null(check.Uri);
    }

    private static WebhookUrlPolicy Policy() => new(new ScriptedResolver(new Dictionary<string, IPAddress[]>
    {
        [PartnerHost] = [IPAddress.Parse("93.184.215.14"), IPAddress.Parse("2606:2800:21f:cb07:6820:80da:af6b:8b2c")],
        ["internal.partner.example"] = [IPAddress.Parse("10.20.0.7")],
        ["mixed.partner.example"] = [IPAddress.Parse("93.184.215.14"), IPAddress.Parse("172.16.5.5")],
        ["localhost"] = [IPAddress.Loopback, IPAddress.IPv6Loopback],
    }));

    public enum WebhookTargetKind
    {
        Production,
        Development,
    }
}

/// <summary>A DNS server played by the test: the answers per name (a test may change them, as a rebinding attacker does), and "host not found" for any other.</summary>
internal sealed class ScriptedResolver(Dictionary<string, IPAddress[]> answers) : IHostAddressResolver
{
    public Dictionary<string, IPAddress[]> Answers { get; } = answers;

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        Answers.TryGetValue(host, out var addresses)
            ? Task.FromResult(addresses)
            : Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound));
}
