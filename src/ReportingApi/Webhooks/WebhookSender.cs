using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;

namespace ReportingApi.Webhooks;

/// <summary>
/// Sends one attempt of one webhook event and says what came of it; it never throws for anything the receiver does
/// (only for cancellation by the caller). Every connection goes through <see cref="WebhookConnectGuard"/>; the URL's
/// form is checked again before each attempt (a stored URL predates a rule that changed, perhaps).
/// </summary>
public sealed class WebhookSender : IDisposable
{
    public const string UserAgent = "ReportingApi-Webhooks/1";

    /// <summary>How much of the receiver's answer is kept for the delivery log.</summary>
    public const int ResponseExcerptBytes = 256;

    private readonly HttpClient _http;
    private readonly WebhookTargetRules _rules;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _timeout;

    /// <param name="timeout">The longest one attempt may take, connection included; a receiver should answer at once and work later.</param>
    public WebhookSender(WebhookTargetRules rules, IHostAddressResolver resolver, TimeProvider clock, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        _rules = rules;
        _clock = clock;
        _timeout = timeout;
        // The timeout is enforced per attempt below, where it can be told from the caller's cancellation.
        _http = new HttpClient(new WebhookConnectGuard(resolver, rules).CreateHandler(timeout)) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public async Task<WebhookAttempt> SendAsync(WebhookRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var startedAt = _clock.GetUtcNow();
        var stopwatch = Stopwatch.StartNew();
        WebhookAttempt Result(WebhookAttemptOutcome outcome, string reason, int? status = null, string? excerpt = null, TimeSpan? retryAfter = null) =>
            new(outcome, reason, status, excerpt, retryAfter, startedAt, stopwatch.Elapsed);

        var form = WebhookUrlPolicy.CheckForm(request.Url.OriginalString, _rules);
        if (form.Uri is null)
        {
            return Result(WebhookAttemptOutcome.Retry, $"Not sent: the URL {form.Problem}.");
        }

        var timestamp = startedAt.ToUnixTimeSeconds();
        using var message = new HttpRequestMessage(HttpMethod.Post, form.Uri) { Content = new ReadOnlyMemoryContent(request.Body) };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        message.Headers.UserAgent.ParseAdd(UserAgent);
        message.Headers.Add(WebhookSignature.IdHeader, request.EventId);
        message.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        message.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.HeaderValue(timestamp, request.Body.Span, request.Secrets));

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        try
        {
            using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            var excerpt = await ReadExcerptAsync(response, timeout.Token);
            var described = $"HTTP {status} {response.ReasonPhrase}".TrimEnd();
            return status switch
            {
                >= 200 and < 300 => Result(WebhookAttemptOutcome.Delivered, described, status, excerpt),
                (int)HttpStatusCode.Gone => Result(WebhookAttemptOutcome.EndpointGone, $"{described}: the receiver says this endpoint is gone.", status, excerpt),
                >= 300 and < 400 => Result(WebhookAttemptOutcome.Retry,
                    $"{described}: redirect to {response.Headers.Location?.OriginalString ?? "(no Location)"} not followed; configure the final URL.", status, excerpt),
                _ => Result(WebhookAttemptOutcome.Retry, described, status, excerpt, RetryAfter(response)),
            };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Result(WebhookAttemptOutcome.Retry, $"No answer within {_timeout.TotalSeconds:0.###} s.");
        }
        catch (HttpRequestException e)
        {
            return Result(WebhookAttemptOutcome.Retry, Describe(e));
        }
    }

    public void Dispose() => _http.Dispose();

    private static string Describe(HttpRequestException e)
    {
        if (e.InnerException is WebhookTargetForbiddenException forbidden)
        {
            return $"Not sent: {forbidden.Message}";
        }

        var socketError = (e.InnerException as SocketException)?.SocketErrorCode;
        return e.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => $"The host does not resolve ({socketError?.ToString() ?? e.Message}).",
            HttpRequestError.ConnectionError when socketError is { } error => $"The connection failed: {error}.",
            HttpRequestError.SecureConnectionError => $"The TLS handshake failed: {e.InnerException?.Message ?? e.Message}",
            _ => $"The request failed ({e.HttpRequestError}): {e.Message}",
        };
    }

    // 429 and 503 may say when to come back; a date or a number of seconds.
    private TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } when date > _clock.GetUtcNow() => date - _clock.GetUtcNow(),
        _ => null,
    };

    private static async Task<string?> ReadExcerptAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var buffer = new byte[ResponseExcerptBytes];
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        await using (stream)
        {
            var length = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
            if (length == 0)
            {
                return null;
            }

            // A cut may split a UTF-8 sequence; the decoder puts U+FFFD there. Control characters would garble a log line.
            var text = Encoding.UTF8.GetString(buffer, 0, length);
            return new string(text.Select(c => char.IsControl(c) ? ' ' : c).ToArray());
        }
    }
}

/// <summary>One attempt to send: the event's id (also the <c>Webhook-Id</c>), the exact body, and the 1 or 2 secrets valid now.</summary>
public sealed record WebhookRequest(Uri Url, string EventId, ReadOnlyMemory<byte> Body, IReadOnlyList<string> Secrets)
{
    /// <summary>Leaves out the secrets and the body.</summary>
    public override string ToString() => $"{EventId} to {Url} ({Body.Length} bytes, {Secrets.Count} secret(s))";
}

public enum WebhookAttemptOutcome
{
    /// <summary>The receiver answered 2xx: done.</summary>
    Delivered,

    /// <summary>Anything else that may pass: any other status, a timeout, a refused or forbidden connection. Try again later.</summary>
    Retry,

    /// <summary>The receiver answered 410 Gone: stop sending to this endpoint until it is configured again.</summary>
    EndpointGone,
}

/// <summary>What one attempt came to, as the delivery log keeps it.</summary>
/// <param name="Reason">For people: the status, or why nothing was received.</param>
/// <param name="StatusCode">The receiver's HTTP status, when it answered.</param>
/// <param name="ResponseExcerpt">The first bytes of the receiver's answer, control characters blanked.</param>
/// <param name="RetryAfter">The wait the receiver asked for (Retry-After), when it did.</param>
public sealed record WebhookAttempt(
    WebhookAttemptOutcome Outcome,
    string Reason,
    int? StatusCode,
    string? ResponseExcerpt,
    TimeSpan? RetryAfter,
    DateTimeOffset StartedAt,
    TimeSpan Duration);
