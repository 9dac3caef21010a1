using System.Net;
using System.Net.Sockets;
using System.Text;
using ReportingApi.TestSupport.Webhooks;
using ReportingApi.Webhooks;

namespace ReportingApi.Tests.Webhooks;

/// <summary>The sender against a real HTTP receiver (Kestrel on loopback) that checks every signature it gets.</summary>
public sealed class WebhookSenderTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"id":"evt_0195","type":"run.delivered","time":"2026-01-01T00:00:00Z","data":{}}""");

    [Fact]
    public async Task A_failing_receiver_gets_the_same_event_again_with_a_fresh_signature_until_it_answers_2xx()
    {
        var secret = WebhookSecrets.Generate();
        await using var receiver = await WebhookReceiver.StartAsync(
            [secret],
            [new(500), new(500), new(503, Body: "down for\nmaintenance")]);
        using var sender = Sender(WebhookTargetRules.Development);
        // By name, through the system's resolver: localhost is ::1 (nobody listens there) and 127.0.0.1 (the receiver).
        var url = new UriBuilder(receiver.HookUrl) { Host = "localhost" }.Uri;

        var attempts = new List<WebhookAttempt>();
        for (var i = 0; i < 6 && attempts.LastOrDefault()?.Outcome != WebhookAttemptOutcome.Delivered; i++)
        {
            attempts.Add(await sender.SendAsync(new WebhookRequest(url, "evt_0195", Body, [secret]), CancellationToken.None));
        }

        Assert.Equal(
            [WebhookAttemptOutcome.Retry, WebhookAttemptOutcome.Retry, WebhookAttemptOutcome.Retry, WebhookAttemptOutcome.Delivered],
            attempts.Select(a => a.Outcome));
        Assert.Equal([500, 500, 503, 200], attempts.Select(a => a.StatusCode));
        Assert.Equal("HTTP 500 Internal Server Error", attempts[0].Reason);
        Assert.Equal("down for maintenance", attempts[2].ResponseExcerpt);
        var received = receiver.Received;
        Assert.Equal(4, received.Count);
        Assert.All(received, request =>
        {
            Assert.Equal(WebhookVerification.Valid, request.Verification);
            Assert.Equal("/hooks/reports", request.Path);
            Assert.Equal("evt_0195", request.Id);
            Assert.Equal(Body, request.Body);
            Assert.Equal("application/json; charset=utf-8", request.ContentType);
            Assert.StartsWith($"t={request.Timestamp}, v1=", request.Signature, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Outside_Development_a_receiver_on_loopback_is_never_contacted()
    {
        var secret = WebhookSecrets.Generate();
        await using var receiver = await WebhookReceiver.StartAsync([secret]);
        using var tlsPort = new SilentListener();
        using var sender = Sender(WebhookTargetRules.Production);

        var overHttp = await sender.SendAsync(new WebhookRequest(receiver.HookUrl, "evt_1", Body, [secret]), CancellationToken.None);
        var overHttps = await sender.SendAsync(new WebhookRequest(new Uri($"https://localhost:{tlsPort.Port}/hooks"), "evt_1", Body, [secret]), CancellationToken.None);

        Assert.Equal(WebhookAttemptOutcome.Retry, overHttp.Outcome);
        Assert.Contains("must use https", overHttp.Reason, StringComparison.Ordinal);
        Assert.Empty(receiver.Received);
        Assert.Equal(WebhookAttemptOutcome.Retry, overHttps.Outcome);
        Assert.Contains("127.0.0.1 is loopback", overHttps.Reason, StringComparison.Ordinal);
        Assert.False(tlsPort.WasConnected, "The sender opened a connection to a loopback port outside Development.");
    }

    [Fact]
    public async Task A_name_that_resolved_to_a_public_address_at_configuration_and_to_loopback_now_is_not_connected_to()
    {
        using var target = new SilentListener();
        var resolver = new ScriptedResolver(new() { ["hooks.partner.example"] = [IPAddress.Parse("93.184.215.14")] });
        var url = $"https://hooks.partner.example:{target.Port}/hooks";
        var configured = await new WebhookUrlPolicy(resolver).CheckAsync(url, WebhookTargetRules.Production, CancellationToken.None);
        resolver.Answers["hooks.partner.example"] = [IPAddress.Loopback];
        using var sender = new WebhookSender(WebhookTargetRules.Production, resolver, TimeProvider.System, Timeout);

        var attempt = await sender.SendAsync(new WebhookRequest(configured.Uri!, "evt_2", Body, [WebhookSecrets.Generate()]), CancellationToken.None);

        Assert.Equal(WebhookAttemptOutcome.Retry, attempt.Outcome);
        Assert.Equal("Not sent: hooks.partner.example resolves to no address a webhook may reach: 127.0.0.1 is loopback.", attempt.Reason);
        Assert.False(target.WasConnected);
    }

    [Fact]
    public async Task A_redirect_is_not_followed()
    {
        var secret = WebhookSecrets.Generate();
        await using var receiver = await WebhookReceiver.StartAsync([secret], [new(302, Location: "/elsewhere")]);
        using var sender = Sender(WebhookTargetRules.Development);

        var attempt = await sender.SendAsync(new WebhookRequest(receiver.HookUrl, "evt_3", Body, [secret]), CancellationToken.None);

        Assert.Equal(WebhookAttemptOutcome.Retry, attempt.Outcome);
        Assert.Equal("HTTP 302 Found: redirect to /elsewhere not followed; configure the final URL.", attempt.Reason);
        Assert.Equal(["/hooks/reports"], receiver.Received.Select(r => r.Path));
    }

    [Fact]
    public async Task A_slow_receiver_times_out_and_a_closed_port_is_refused_both_to_be_retried()
    {
        var secret = WebhookSecrets.Generate();
        await using var receiver = await WebhookReceiver.StartAsync([secret], [new(200, Delay: TimeSpan.FromSeconds(30))]);
        using var sender = new WebhookSender(WebhookTargetRules.Development, new SystemHostAddressResolver(), TimeProvider.System, TimeSpan.FromMilliseconds(500));
        var closedPort = new UriBuilder("http", "127.0.0.1", ClosedPort(), "/hooks").Uri;

        var slow = await sender.SendAsync(new WebhookRequest(receiver.HookUrl, "evt_4", Body, [secret]), CancellationToken.None);
        var closed = await sender.SendAsync(new WebhookRequest(closedPort, "evt_4", Body, [secret]), CancellationToken.None);

        Assert.Equal(WebhookAttemptOutcome.Retry, slow.Outcome);
        Assert.Equal("No answer within 0.5 s.", slow.Reason);
        Assert.InRange(slow.Duration, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(10));
        Assert.Equal(WebhookAttemptOutcome.Retry, closed.Outcome);
        Assert.Equal("The connection failed: ConnectionRefused.", closed.Reason);
    }

    [Fact]
    public async Task A_host_that_no_longer_resolves_is_retried_with_the_reason()
    {
        using var sender = new WebhookSender(WebhookTargetRules.Production, new ScriptedResolver([]), TimeProvider.System, Timeout);

        var attempt = await sender.SendAsync(new WebhookRequest(new Uri("https://gone.partner.example/hooks"), "evt_8", Body, [WebhookSecrets.Generate()]), CancellationToken.None);

        Assert.Equal(WebhookAttemptOutcome.Retry, attempt.Outcome);
        Assert.Null(attempt.StatusCode);
        Assert.Equal("The host does not resolve (HostNotFound).", attempt.Reason);
    }

    [Fact]
    public async Task Gone_stops_the_endpoint_and_429_passes_on_Retry_After()
    {
        var secret = WebhookSecrets.Generate();
        await using var receiver = await WebhookReceiver.StartAsync([secret], [new(429, Body: "slow down", RetryAfter: "120"), new(410)]);
        using var sender = Sender(WebhookTargetRules.Development);

        var throttled = await sender.SendAsync(new WebhookRequest(receiver.HookUrl, "evt_5", Body, [secret]), CancellationToken.None);
        var gone = await sender.SendAsync(new WebhookRequest(receiver.HookUrl, "evt_5", Body, [secret]), CancellationToken.None);

        Assert.Equal(WebhookAttemptOutcome.Retry, throttled.Outcome);
        Assert.Equal(429, throttled.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(120), throttled.RetryAfter);
        Assert.Equal(WebhookAttemptOutcome.EndpointGone, gone.Outcome);
        Assert.Equal(410, gone.StatusCode);
    }

    [Fact]
    public async Task During_a_rotation_a_receiver_that_holds_either_secret_accepts()
    {
        var previous = WebhookSecrets.Generate();
        var current = WebhookSecrets.Generate();
        await using var stillOnPrevious = await WebhookReceiver.StartAsync([previous]);
        await using var alreadyOnCurrent = await WebhookReceiver.StartAsync([current]);
        using var sender = Sender(WebhookTargetRules.Development);

        var first = await sender.SendAsync(new WebhookRequest(stillOnPrevious.HookUrl, "evt_6", Body, [current, previous]), CancellationToken.None);
        var second = await sender.SendAsync(new WebhookRequest(alreadyOnCurrent.HookUrl, "evt_6", Body, [current, previous]), CancellationToken.None);
        var withoutPrevious = await sender.SendAsync(new WebhookRequest(stillOnPrevious.HookUrl, "evt_6", Body, [current]), CancellationToken.None);

        Assert.Equal(WebhookAttemptOutcome.Delivered, first.Outcome);
        Assert.Equal(WebhookAttemptOutcome.Delivered, second.Outcome);
        Assert.Equal(400, withoutPrevious.StatusCode);
        Assert.Equal("signature NoMatchingSignature", withoutPrevious.ResponseExcerpt);
    }

    [Fact]
    public async Task The_callers_cancellation_is_not_taken_for_a_timeout()
    {
        var secret = WebhookSecrets.Generate();
        await using var receiver = await WebhookReceiver.StartAsync([secret], [new(200, Delay: TimeSpan.FromSeconds(30))]);
        using var sender = Sender(WebhookTargetRules.Development);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => sender.SendAsync(new WebhookRequest(receiver.HookUrl, "evt_7", Body, [secret]), cancellation.Token));
    }

    private static WebhookSender Sender(WebhookTargetRules rules) => new(rules, new SystemHostAddressResolver(), TimeProvider.System, Timeout);

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>A loopback port that accepts TCP connections and says nothing: it only tells whether anyone connected.</summary>
    private sealed class SilentListener : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

        public SilentListener() => _listener.Start();

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public bool WasConnected => _listener.Pending();

        public void Dispose() => _listener.Dispose();
    }
}
