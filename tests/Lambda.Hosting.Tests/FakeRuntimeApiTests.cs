using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Lambda.Hosting.Tests;

/// <summary>
/// The fake Runtime API refuses what Lambda's refuses (status and <c>errorType</c> as Lambda answers), so a bridge that
/// answers the wrong invocation, answers twice or reports an init error too late fails its tests; and it accepts what
/// Lambda accepts.
/// </summary>
public sealed class FakeRuntimeApiTests : IAsyncLifetime, IDisposable
{
    private FakeRuntimeApi _runtime = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _runtime = await FakeRuntimeApi.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri($"http://{_runtime.Address}/2018-06-01/runtime/") };
    }

    public Task DisposeAsync() => _runtime.DisposeAsync().AsTask();

    public void Dispose() => _http?.Dispose();

    [Fact]
    public async Task The_invocation_in_flight_is_answered_once()
    {
        var invocation = _runtime.InvokeAsync("""{"n":1}""");
        var requestId = await NextAsync();

        using var response = await PostAsync($"invocation/{requestId}/response", """{"ok":true}""");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var post = await invocation;
        Assert.Equal("response", post.Kind);
        Assert.Equal("""{"ok":true}""", Encoding.UTF8.GetString(post.Body));

        // Answered: a second response or an error for it is not a transition Lambda allows.
        using var again = await PostAsync($"invocation/{requestId}/response", "{}");
        await AssertRefusedAsync(again, HttpStatusCode.Forbidden, "InvalidStateTransition");
        using var error = await PostAsync($"invocation/{requestId}/error", "{}", errorType: "Late");
        await AssertRefusedAsync(error, HttpStatusCode.Forbidden, "InvalidStateTransition");
        Assert.Equal(2, _runtime.Refusals.Count);
    }

    [Fact]
    public async Task An_answer_for_another_request_id_is_refused_and_fails_the_invocation_in_flight()
    {
        var invocation = _runtime.InvokeAsync("{}");
        await NextAsync();

        using var response = await PostAsync($"invocation/{Guid.NewGuid()}/response", "{}");

        await AssertRefusedAsync(response, HttpStatusCode.BadRequest, "InvalidRequestID");
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => invocation);
        Assert.Contains("InvalidRequestID", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_answer_from_a_runtime_that_has_not_been_given_an_invocation_is_refused()
    {
        using var response = await PostAsync($"invocation/{Guid.NewGuid()}/response", "{}");
        await AssertRefusedAsync(response, HttpStatusCode.Forbidden, "InvalidStateTransition");
    }

    [Fact]
    public async Task A_response_over_6_MB_is_refused_with_413_and_fails_the_invocation()
    {
        var invocation = _runtime.InvokeAsync("{}");
        var requestId = await NextAsync();

        using var response = await PostAsync($"invocation/{requestId}/response", new string('x', FakeRuntimeApi.MaxResponseBytes + 1));

        await AssertRefusedAsync(response, HttpStatusCode.RequestEntityTooLarge, "RequestEntityTooLarge");
        await Assert.ThrowsAsync<InvalidOperationException>(() => invocation);
    }

    [Fact]
    public async Task A_response_of_exactly_6_MB_is_taken()
    {
        var invocation = _runtime.InvokeAsync("{}");
        var requestId = await NextAsync();

        using var response = await PostAsync($"invocation/{requestId}/response", new string('x', FakeRuntimeApi.MaxResponseBytes));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(FakeRuntimeApi.MaxResponseBytes, (await invocation).Body.Length);
    }

    [Fact]
    public async Task An_init_error_is_taken_before_the_first_invocation_is_asked_for_and_ends_the_runtime()
    {
        using var response = await PostAsync("init/error", """{"errorMessage":"boom","errorType":"Runtime.Boom","stackTrace":[]}""", errorType: "Runtime.Boom");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("Runtime.Boom", (await _runtime.InitError).ErrorTypeHeader);
        using var next = await _http.GetAsync("invocation/next");
        await AssertRefusedAsync(next, HttpStatusCode.Forbidden, "InvalidStateTransition");
    }

    [Fact]
    public async Task An_init_error_after_the_runtime_asked_for_an_invocation_is_refused()
    {
        using var waiting = new CancellationTokenSource();
        var next = _http.GetAsync("invocation/next", waiting.Token);
        await _runtime.NextRequested.WaitAsync(TimeSpan.FromSeconds(5));

        using var response = await PostAsync("init/error", "{}", errorType: "Runtime.Late");

        await AssertRefusedAsync(response, HttpStatusCode.Forbidden, "InvalidStateTransition");
        Assert.False(_runtime.InitError.IsCompleted);
        await waiting.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next);
    }

    [Fact]
    public async Task A_restore_error_outside_the_restore_is_refused()
    {
        using var response = await PostAsync("restore/error", "{}", errorType: "Runtime.Restore");
        await AssertRefusedAsync(response, HttpStatusCode.Forbidden, "InvalidStateTransition");
    }

    [Fact]
    public async Task An_error_post_without_the_error_type_header_or_a_JSON_body_is_taken_as_Lambda_takes_it()
    {
        var invocation = _runtime.InvokeAsync("{}");
        var requestId = await NextAsync();

        using var response = await PostAsync($"invocation/{requestId}/error", "not json", mediaType: "text/plain");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var post = await invocation;
        Assert.Equal("error", post.Kind);
        Assert.Null(post.ErrorTypeHeader);
        Assert.StartsWith("text/plain", post.ContentType, StringComparison.Ordinal);
        Assert.Empty(_runtime.Refusals);
    }

    private async Task<string> NextAsync()
    {
        using var next = await _http.GetAsync("invocation/next");
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        return next.Headers.GetValues("Lambda-Runtime-Aws-Request-Id").Single();
    }

    private async Task<HttpResponseMessage> PostAsync(string path, string body, string? errorType = null, string mediaType = "application/json")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, mediaType) };
        if (errorType is not null)
        {
            request.Headers.Add("Lambda-Runtime-Function-Error-Type", errorType);
        }

        return await _http.SendAsync(request);
    }

    private async Task AssertRefusedAsync(HttpResponseMessage response, HttpStatusCode status, string errorType)
    {
        Assert.Equal(status, response.StatusCode);
        var error = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(errorType, error.GetProperty("errorType").GetString());
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("errorMessage").GetString()));
        Assert.Contains(_runtime.Refusals, refusal => refusal.Contains(errorType, StringComparison.Ordinal));
    }
}
