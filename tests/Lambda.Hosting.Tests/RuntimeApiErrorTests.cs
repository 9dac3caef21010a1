using System.Text.Json;
using Lambda.Hosting.RuntimeApi;
using Lambda.Hosting.Tests.Infrastructure;

namespace Lambda.Hosting.Tests;

/// <summary>Failures of the bridge itself go to the Runtime API in Lambda's error shape.</summary>
public sealed class RuntimeApiErrorTests(EchoApp app) : IClassFixture<EchoApp>
{
    private static void AssertLambdaErrorShape(RuntimePost post, string expectedType, string expectedMessagePart)
    {
        Assert.Equal("application/json", post.ContentType);
        Assert.Equal(expectedType, post.ErrorTypeHeader);
        var error = JsonDocument.Parse(post.Body).RootElement;
        Assert.Equal(expectedType, error.GetProperty("errorType").GetString());
        Assert.Contains(expectedMessagePart, error.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Array, error.GetProperty("stackTrace").ValueKind);
    }

    [Fact]
    public async Task An_event_that_is_not_an_HTTP_API_request_is_reported_as_an_invocation_error()
    {
        var post = await app.Runtime.InvokeAsync("not json at all");

        Assert.Equal("error", post.Kind);
        Assert.Matches("^/2018-06-01/runtime/invocation/[0-9a-f-]+/error$", post.Path);
        AssertLambdaErrorShape(post, "JsonException", "");
        Assert.NotEmpty(JsonDocument.Parse(post.Body).RootElement.GetProperty("stackTrace").EnumerateArray());

        // The loop goes on.
        Assert.Equal("response", (await app.Runtime.InvokeAsync(EventFixtures.Get("/echo/after-error"))).Kind);
    }

    [Fact]
    public async Task An_app_failure_after_the_response_started_is_an_invocation_error()
    {
        var post = await app.Runtime.InvokeAsync(EventFixtures.Get("/throws-after-start"));

        Assert.Equal("error", post.Kind);
        AssertLambdaErrorShape(post, "InvalidOperationException", "after the response had started");
    }

    [Fact]
    public async Task Init_error_is_posted_to_init_error_in_the_error_shape()
    {
        // A runtime that has not asked for an invocation yet: Lambda refuses /init/error after that.
        await using var runtime = await FakeRuntimeApi.StartAsync();
        using var client = new RuntimeApiClient(runtime.Address);

        await client.PostInitErrorAsync(new InvalidOperationException("Database unreachable"), CancellationToken.None);

        var post = await runtime.InitError.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("/2018-06-01/runtime/init/error", post.Path);
        AssertLambdaErrorShape(post, "InvalidOperationException", "Database unreachable");
    }
}
