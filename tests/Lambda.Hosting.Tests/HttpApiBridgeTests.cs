using System.Text.Json;
using Lambda.Hosting.Tests.Infrastructure;

namespace Lambda.Hosting.Tests;

/// <summary>Golden HTTP API 2.0 events through the bridge into a real app, answered as payload 2.0 responses.</summary>
public sealed class HttpApiBridgeTests(EchoApp app) : IClassFixture<EchoApp>
{
    private async Task<PayloadResponse> InvokeAsync(string eventJson, string? traceId = null) =>
        PayloadResponse.From(await app.Runtime.InvokeAsync(eventJson, traceId));

    private static string[] Strings(JsonElement array) => array.EnumerateArray().Select(item => item.GetString()!).ToArray();

    [Fact]
    public async Task Encoded_path_and_query_are_kept_as_sent_and_decoded_like_Kestrel()
    {
        var response = await InvokeAsync(EventFixtures.Load("get-encoded-path-query.json"));

        Assert.Equal(200, response.StatusCode);
        Assert.False(response.IsBase64Encoded);
        var echo = response.BodyJson;
        Assert.Equal("GET", echo.GetProperty("method").GetString());
        Assert.Equal("https", echo.GetProperty("scheme").GetString());
        Assert.Equal("", echo.GetProperty("pathBase").GetString());
        Assert.Equal("/echo/café/a%2Fb/résumé", echo.GetProperty("path").GetString());
        Assert.Equal("?name=J%C3%BCrgen&tag=a&tag=b&plus=1%2B1&empty=", echo.GetProperty("queryString").GetString());
        Assert.Equal(
            "/echo/caf%C3%A9/a%2Fb/r%C3%A9sum%C3%A9?name=J%C3%BCrgen&tag=a&tag=b&plus=1%2B1&empty=",
            echo.GetProperty("rawTarget").GetString());
        var query = echo.GetProperty("query");
        Assert.Equal(["Jürgen"], Strings(query.GetProperty("name")));
        Assert.Equal(["a", "b"], Strings(query.GetProperty("tag")));
        Assert.Equal(["1+1"], Strings(query.GetProperty("plus")));
    }

    [Fact]
    public async Task Headers_are_not_split_on_commas_and_cookies_become_one_Cookie_header()
    {
        var echo = (await InvokeAsync(EventFixtures.Load("get-encoded-path-query.json"))).BodyJson;

        var headers = echo.GetProperty("headers");
        Assert.Equal(["de-DE,de;q=0.9,en;q=0.8"], Strings(headers.GetProperty("accept-language")));
        Assert.Equal(["\"v1,2\", \"v3\""], Strings(headers.GetProperty("if-none-match")));
        Assert.Equal(["203.0.113.9, 10.0.0.1"], Strings(headers.GetProperty("x-forwarded-for")));
        Assert.Equal(["session=abc123; theme=dark"], Strings(headers.GetProperty("cookie")));
        Assert.Equal("abc123", echo.GetProperty("cookies").GetProperty("session").GetString());
        Assert.Equal("dark", echo.GetProperty("cookies").GetProperty("theme").GetString());
        Assert.Equal("203.0.113.9", echo.GetProperty("remoteIp").GetString());
        Assert.Equal("JKJaXmPLvHcESHA=", echo.GetProperty("traceIdentifier").GetString());
        Assert.False(echo.GetProperty("authenticated").GetBoolean());
    }

    [Fact]
    public async Task Base64_request_body_arrives_as_the_original_bytes()
    {
        var echo = (await InvokeAsync(EventFixtures.Load("post-base64-body.json"))).BodyJson;

        Assert.Equal("POST", echo.GetProperty("method").GetString());
        Assert.Equal(Convert.ToBase64String([0x00, 0xFF, 0xFE, 0x50, 0x4B, 0x03, 0x04, 0x80]), echo.GetProperty("bodyBase64").GetString());
        Assert.Equal(8, echo.GetProperty("contentLength").GetInt64());
        Assert.Equal("2001:db8::7", echo.GetProperty("remoteIp").GetString());
    }

    [Fact]
    public async Task Json_body_binds_to_a_minimal_api_parameter()
    {
        var response = await InvokeAsync(EventFixtures.Load("put-json-bound-body.json"));

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("contracts", response.BodyJson.GetProperty("report").GetString());
        Assert.Equal("Grüße", response.BodyJson.GetProperty("note").GetString());
    }

    [Fact]
    public async Task Text_request_body_arrives_as_UTF8()
    {
        var echo = (await InvokeAsync(EventFixtures.Load("post-text-body.json"))).BodyJson;

        Assert.Equal("{\"report\":\"contracts\",\"note\":\"Grüße\"}", echo.GetProperty("bodyText").GetString());
        Assert.Equal(["7f3c0d1e"], Strings(echo.GetProperty("headers").GetProperty("idempotency-key")));
    }

    [Fact]
    public async Task Authorizer_claims_and_scopes_become_the_user()
    {
        var echo = (await InvokeAsync(EventFixtures.Load("authorizer-claims-scopes.json"))).BodyJson;

        Assert.True(echo.GetProperty("authenticated").GetBoolean());
        Assert.Equal("ApiGatewayJwt", echo.GetProperty("authenticationType").GetString());
        var claims = echo.GetProperty("claims").EnumerateArray()
            .Select(claim => (Type: claim[0].GetString()!, Value: claim[1].GetString()!))
            .ToList();
        Assert.Contains(("client_id", "4bq1partner"), claims);
        Assert.Contains(("token_use", "access"), claims);
        Assert.Contains(("exp", "1773104600"), claims);
        // Exactly one scope claim, from the authorizer's scopes list.
        Assert.Equal(["reports/read reports/deliver"], claims.Where(claim => claim.Type == "scope").Select(claim => claim.Value));
    }

    [Fact]
    public async Task A_named_stage_prefix_becomes_the_PathBase()
    {
        var echo = (await InvokeAsync(EventFixtures.Load("stage-prefix.json"))).BodyJson;

        Assert.Equal("/prod", echo.GetProperty("pathBase").GetString());
        Assert.Equal("/echo/report-runs/42", echo.GetProperty("path").GetString());
        Assert.Equal("?page=2", echo.GetProperty("queryString").GetString());
        Assert.Equal("/prod/echo/report-runs/42?page=2", echo.GetProperty("rawTarget").GetString());
    }

    [Fact]
    public async Task Invocation_headers_reach_the_request_and_the_trace_id_is_set_per_invocation()
    {
        const string traceId = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";

        var traced = (await InvokeAsync(EventFixtures.Get("/echo/trace"), traceId)).BodyJson;
        var untraced = (await InvokeAsync(EventFixtures.Get("/echo/trace"))).BodyJson;

        Assert.Equal(traceId, traced.GetProperty("traceEnvironment").GetString());
        Assert.Equal(JsonValueKind.Null, untraced.GetProperty("traceEnvironment").ValueKind);
        Assert.Equal(FakeRuntimeApi.FunctionArn, traced.GetProperty("functionArn").GetString());
        Assert.Equal(app.Runtime.Deadline.ToUnixTimeMilliseconds(), traced.GetProperty("deadline").GetInt64());
        Assert.True(Guid.TryParse(traced.GetProperty("lambdaRequestId").GetString(), out _));
        Assert.NotEqual(traced.GetProperty("lambdaRequestId").GetString(), untraced.GetProperty("lambdaRequestId").GetString());
    }

    [Fact]
    public async Task Set_Cookie_headers_become_cookies_and_multi_value_headers_are_joined()
    {
        var response = await InvokeAsync(EventFixtures.Get("/cookies"));

        Assert.Equal(204, response.StatusCode);
        Assert.Equal(["session=abc; path=/", "theme=dark; path=/"], response.Cookies);
        Assert.Null(response.Header("Set-Cookie"));
        Assert.Equal("one,two", response.Header("X-Multi"));
    }

    [Fact]
    public async Task Binary_response_is_base64()
    {
        var response = await InvokeAsync(EventFixtures.Get("/bytes", "count=256"));

        Assert.Equal(200, response.StatusCode);
        Assert.True(response.IsBase64Encoded);
        Assert.Equal("application/octet-stream", response.Header("Content-Type"));
        Assert.Equal(Enumerable.Range(0, 256).Select(i => (byte)i), response.BodyBytes);
    }

    [Fact]
    public async Task Synchronous_writes_are_accepted_and_sent_as_base64()
    {
        var response = await InvokeAsync(EventFixtures.Get("/pdf-sync"));

        Assert.True(response.IsBase64Encoded);
        Assert.Equal(EchoApp.BinaryByteCount, response.BodyBytes.Length);
    }

    [Fact]
    public async Task Text_response_is_a_plain_string_even_when_binary_of_its_size_would_not_fit()
    {
        // 5 MB of text fits in 6 MB; 5 MB of binary (6.7 MB as base64) does not: the cap counts base64.
        var text = await InvokeAsync(EventFixtures.Get("/text", "count=5000000"));
        var binary = await InvokeAsync(EventFixtures.Get("/bytes", "count=5000000"));

        Assert.Equal(200, text.StatusCode);
        Assert.False(text.IsBase64Encoded);
        Assert.Equal(5_000_000, text.BodyText.Length);
        Assert.Equal(413, binary.StatusCode);
    }

    [Fact]
    public async Task Oversized_response_becomes_a_413_problem_pointing_to_report_runs()
    {
        var response = await InvokeAsync(EventFixtures.Get("/bytes", "count=7000000"));

        Assert.Equal(413, response.StatusCode);
        Assert.Equal("application/problem+json", response.Header("Content-Type"));
        var problem = response.BodyJson;
        Assert.EndsWith("/response-too-large", problem.GetProperty("type").GetString(), StringComparison.Ordinal);
        Assert.Equal(413, problem.GetProperty("status").GetInt32());
        Assert.Contains("POST /v1/report-runs", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // The runtime survived: the next invocation is answered normally.
        Assert.Equal(200, (await InvokeAsync(EventFixtures.Get("/bytes", "count=10"))).StatusCode);
    }

    [Fact]
    public async Task Text_body_under_the_limit_whose_payload_document_is_over_it_becomes_413()
    {
        // The body fits the buffer (capacity = the limit for text), but with the payload document around it the
        // post would pass 6 MB: it must become the 413 problem, not an empty post.
        var count = LambdaHostingOptions.LambdaResponseLimitBytes - 16;

        var response = await InvokeAsync(EventFixtures.Get("/text", $"count={count}"));

        Assert.Equal(413, response.StatusCode);
        Assert.Equal(413, response.BodyJson.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task OnStarting_and_OnCompleted_callbacks_run()
    {
        var response = await InvokeAsync(EventFixtures.Get("/callbacks"));

        Assert.Equal("yes", response.Header("X-Started"));
        Assert.Equal("ok", response.BodyText);
        Assert.True(await app.CallbackCompleted.Task.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Each_request_gets_its_own_DI_scope()
    {
        var first = (await InvokeAsync(EventFixtures.Get("/scoped"))).BodyJson;
        var second = (await InvokeAsync(EventFixtures.Get("/scoped"))).BodyJson;

        Assert.Equal(first.GetProperty("first").GetGuid(), first.GetProperty("second").GetGuid());
        Assert.NotEqual(first.GetProperty("first").GetGuid(), second.GetProperty("first").GetGuid());
    }

    [Fact]
    public async Task An_exception_escaping_the_app_before_the_response_started_is_a_500()
    {
        var response = await InvokeAsync(EventFixtures.Get("/throws"));

        Assert.Equal(500, response.StatusCode);
        Assert.Equal("", response.BodyText);
    }

    [Fact]
    public async Task Unknown_route_is_the_app_own_404()
    {
        Assert.Equal(404, (await InvokeAsync(EventFixtures.Get("/nowhere"))).StatusCode);
    }
}
