using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;
using ReportingApi.TestSupport.Aws;

namespace ReportingApi.TestSupport.Webhooks;

/// <summary>
/// A partner's webhook endpoint on a loopback port: it checks each request's signature against the secrets it
/// holds (<see cref="WebhookSignatureVerifier"/>) and answers 400 when it does not verify; otherwise it gives the
/// next scripted answer (500 a few times, a redirect, a slow answer ...) and 200 once the script is used up. Every
/// request is recorded, valid or not, in the order received.
/// </summary>
public sealed class WebhookReceiver : LoopbackFake
{
    private readonly ConcurrentQueue<WebhookAnswer> _script;
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();

    private WebhookReceiver(IReadOnlyList<string> secrets, IEnumerable<WebhookAnswer> script)
    {
        Secrets = secrets;
        _script = new ConcurrentQueue<WebhookAnswer>(script);
    }

    public IReadOnlyList<string> Secrets { get; }

    public IReadOnlyList<ReceivedWebhook> Received => [.. _received];

    /// <summary>The URL partners would configure: <c>{base}hooks/reports</c>.</summary>
    public Uri HookUrl => new(Url, "hooks/reports");

    public static Task<WebhookReceiver> StartAsync(IReadOnlyList<string> secrets, IEnumerable<WebhookAnswer>? script = null, X509Certificate2? certificate = null) =>
        StartAsync(new WebhookReceiver(secrets, script ?? []), certificate);

    protected override async Task HandleAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var headers = context.Request.Headers;
        var verification = WebhookSignatureVerifier.Verify(
            headers["Webhook-Signature"], body.ToArray(), Secrets, DateTimeOffset.UtcNow, WebhookSignatureVerifier.DefaultTolerance);
        _received.Enqueue(new ReceivedWebhook(
            context.Request.Path, headers["Webhook-Id"], headers["Webhook-Timestamp"], headers["Webhook-Signature"], headers.ContentType, body.ToArray(), verification));

        if (verification != WebhookVerification.Valid)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync($"signature {verification}");
            return;
        }

        var answer = _script.TryDequeue(out var next) ? next : WebhookAnswer.Ok;
        if (answer.Delay > TimeSpan.Zero)
        {
            await Task.Delay(answer.Delay, context.RequestAborted);
        }

        context.Response.StatusCode = answer.Status;
        if (answer.Location is not null)
        {
            context.Response.Headers.Location = answer.Location;
        }

        if (answer.RetryAfter is not null)
        {
            context.Response.Headers.RetryAfter = answer.RetryAfter;
        }

        if (answer.Body is not null)
        {
            await context.Response.WriteAsync(answer.Body);
        }
    }
}

/// <summary>One scripted answer of <see cref="WebhookReceiver"/>.</summary>
public sealed record WebhookAnswer(int Status, string? Body = null, string? Location = null, TimeSpan Delay = default, string? RetryAfter = null)
{
    public static WebhookAnswer Ok { get; } = new(StatusCodes.Status200OK);
}

/// <summary>A request as the receiver got it.</summary>
public sealed record ReceivedWebhook(string Path, string? Id, string? Timestamp, string? Signature, string? ContentType, byte[] Body, WebhookVerification Verification);
