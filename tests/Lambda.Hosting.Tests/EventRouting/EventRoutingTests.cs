using System.Text.Json;
using Lambda.Hosting.Events;
using Lambda.Hosting.Tests.Infrastructure;

namespace Lambda.Hosting.Tests.EventRouting;

/// <summary>Golden non-HTTP events through the real server to the handlers the app registered.</summary>
public sealed class EventRoutingTests(EventRoutingApp app) : IClassFixture<EventRoutingApp>
{
    private static string RequestIdOf(RuntimePost post) => post.Path.Split('/')[4];

    private static JsonElement ResponseJson(RuntimePost post)
    {
        Assert.Equal("response", post.Kind);
        Assert.Equal("application/json", post.ContentType);
        return JsonDocument.Parse(post.Body).RootElement;
    }

    private static JsonElement ErrorJson(RuntimePost post, string expectedType)
    {
        Assert.Equal("error", post.Kind);
        Assert.Matches("^/2018-06-01/runtime/invocation/[0-9a-f-]+/error$", post.Path);
        Assert.Equal("application/json", post.ContentType);
        Assert.Equal(expectedType, post.ErrorTypeHeader);
        var error = JsonDocument.Parse(post.Body).RootElement;
        Assert.Equal(expectedType, error.GetProperty("errorType").GetString());
        Assert.Equal(JsonValueKind.Array, error.GetProperty("stackTrace").ValueKind);
        return error;
    }

    [Fact]
    public async Task S3_ObjectCreated_Put_reaches_the_S3_handler_with_the_decoded_key_and_answers_an_empty_object()
    {
        var post = await app.Runtime.InvokeAsync(EventFixtures.Load("s3-object-created-put.json"));

        var response = ResponseJson(post);
        Assert.Equal(JsonValueKind.Object, response.ValueKind);
        Assert.Empty(response.EnumerateObject());
        var s3Event = (S3Event)app.Received.Single<S3Event>(RequestIdOf(post)).Event;
        var record = Assert.Single(s3Event.Records);
        Assert.Equal("ObjectCreated:Put", record.EventName);
        Assert.Equal("reporting-api-reports-123456789012", record.BucketName);
        Assert.Equal("partners/p-001/outbox/Q3 contracts übersicht 1+1.csv.pgp", record.ObjectKey);
        Assert.Equal(48213, record.Size);
        Assert.Equal("d41d8cd98f00b204e9800998ecf8427e", record.ETag);
        Assert.Equal("096fKKXTRTtl3on89fVO.nfljtsv6qko", record.VersionId);
        Assert.Equal("eu-central-1", record.AwsRegion);
        Assert.Equal(new DateTimeOffset(2026, 3, 14, 9, 26, 53, 120, TimeSpan.Zero), record.EventTime);
    }

    [Fact]
    public async Task Transfer_connector_event_reaches_the_handler_for_its_source_and_its_result_is_the_response()
    {
        var post = await app.Runtime.InvokeAsync(EventFixtures.Load("eventbridge-transfer-send-completed.json"));

        var response = ResponseJson(post);
        Assert.Equal("SFTP Connector File Send Completed", response.GetProperty("handled").GetString());
        Assert.Equal("b3b5d7a1-9c2e-4f4a-8d6e-2f1a0c9e7b11", response.GetProperty("transferId").GetString());
        var transferEvent = (EventBridgeEvent)app.Received.Single<EventBridgeEvent>(RequestIdOf(post)).Event;
        Assert.Equal("aws.transfer", transferEvent.Source);
        Assert.Equal("SFTP Connector File Send Completed", transferEvent.DetailType);
        Assert.Equal("6a7e8feb-b491-4cf7-a9f1-bf3703467718", transferEvent.Id);
        Assert.Equal("123456789012", transferEvent.Account);
        Assert.Equal("eu-central-1", transferEvent.Region);
        Assert.Equal(new DateTimeOffset(2026, 3, 14, 9, 27, 5, TimeSpan.Zero), transferEvent.Time);
        Assert.Equal(["arn:aws:transfer:eu-central-1:123456789012:connector/c-0123456789abcdef0"], transferEvent.Resources);
        var detail = transferEvent.Detail;
        Assert.Equal("c-0123456789abcdef0", detail.GetProperty("connector-id").GetString());
        Assert.Equal("/reporting-api-reports-123456789012/runs/r-42/contracts.xlsx.pgp", detail.GetProperty("file-path").GetString());
        Assert.Equal("COMPLETED", detail.GetProperty("status-code").GetString());
        Assert.Equal("runs/r-42/contracts.xlsx.pgp", detail.GetProperty("local-file-location").GetProperty("key").GetString());
    }

    [Fact]
    public async Task App_invocation_reaches_the_handler_for_its_kind_with_its_payload()
    {
        var post = await app.Runtime.InvokeAsync(EventFixtures.Load("app-invocation-report-run.json"));

        Assert.Equal("r-42", ResponseJson(post).GetProperty("accepted").GetString());
        var invocation = (AppInvocation)app.Received.Single<AppInvocation>(RequestIdOf(post)).Event;
        Assert.Equal(EventRoutingApp.ReportRunKind, invocation.Kind);
        Assert.Equal("p-001", invocation.Payload.GetProperty("partnerId").GetString());
        Assert.Equal(2, invocation.Payload.GetProperty("attempt").GetInt32());
    }

    [Fact]
    public async Task An_event_built_with_ToEventJson_round_trips_to_its_handler()
    {
        var eventJson = AppInvocation.ToEventJson(EventRoutingApp.ReportRunKind, new { RunId = "r-7", PartnerId = "p-002" });

        var post = await app.Runtime.InvokeAsync(eventJson);

        Assert.Equal("r-7", ResponseJson(post).GetProperty("accepted").GetString());
        var invocation = (AppInvocation)app.Received.Single<AppInvocation>(RequestIdOf(post)).Event;
        Assert.Equal("p-002", invocation.Payload.GetProperty("partnerId").GetString());
    }

    [Fact]
    public async Task Each_handler_invocation_gets_its_own_scope_which_is_disposed_afterwards()
    {
        var first = await app.Runtime.InvokeAsync(EventFixtures.Load("s3-object-created-put.json"));
        var second = await app.Runtime.InvokeAsync(EventFixtures.Load("app-invocation-report-run.json"));

        var firstScope = app.Received.ByRequestId[RequestIdOf(first)].ScopeId;
        var secondScope = app.Received.ByRequestId[RequestIdOf(second)].ScopeId;
        Assert.NotEqual(firstScope, secondScope);
        Assert.Contains(firstScope, app.Received.DisposedScopes);
    }

    [Fact]
    public async Task A_handler_exception_is_posted_to_error_in_the_Lambda_error_shape_and_the_loop_goes_on()
    {
        var post = await app.Runtime.InvokeAsync("""{"kind":"explode","payload":{"runId":"r-13"}}""");

        var error = ErrorJson(post, nameof(InvalidOperationException));
        Assert.Equal(FailingHandler.Message, error.GetProperty("errorMessage").GetString());
        Assert.NotEmpty(error.GetProperty("stackTrace").EnumerateArray());
        Assert.Equal("response", (await app.Runtime.InvokeAsync(EventFixtures.Load("app-invocation-report-run.json"))).Kind);
    }

    [Fact]
    public async Task An_app_invocation_of_a_kind_without_handler_is_an_error_naming_the_kind()
    {
        var post = await app.Runtime.InvokeAsync("""{"kind":"purge-everything","payload":{}}""");

        var error = ErrorJson(post, "LambdaEventNotHandledException");
        Assert.Contains("'purge-everything'", error.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_EventBridge_event_from_a_source_without_handler_is_an_error_naming_source_and_detail_type()
    {
        const string scheduledTick = """
            {"version":"0","id":"53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa","detail-type":"Scheduled Event","source":"aws.events",
             "account":"123456789012","time":"2026-03-14T10:00:00Z","region":"eu-central-1",
             "resources":["arn:aws:events:eu-central-1:123456789012:rule/reporting-api-tick"],"detail":{}}
            """;

        var post = await app.Runtime.InvokeAsync(scheduledTick);

        var message = ErrorJson(post, "LambdaEventNotHandledException").GetProperty("errorMessage").GetString();
        Assert.Contains("'Scheduled Event'", message, StringComparison.Ordinal);
        Assert.Contains("'aws.events'", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unrecognised_event_is_an_error_and_an_HTTP_API_event_still_reaches_the_app()
    {
        var post = await app.Runtime.InvokeAsync("""{"Records":[{"eventSource":"aws:sqs","body":"x"}]}""");

        var message = ErrorJson(post, "LambdaEventNotHandledException").GetProperty("errorMessage").GetString();
        Assert.Contains("not an HTTP API 2.0 request", message, StringComparison.Ordinal);
        var http = PayloadResponse.From(await app.Runtime.InvokeAsync(EventFixtures.Get("/ping")));
        Assert.Equal(200, http.StatusCode);
        Assert.Equal("pong", http.BodyText);
    }

    [Fact]
    public async Task An_S3_event_without_handler_is_an_error_naming_S3_in_an_app_without_one()
    {
        await using var runtime = await FakeRuntimeApi.StartAsync();
        await using var bare = await BareApp.StartAsync(runtime);

        var post = await runtime.InvokeAsync(EventFixtures.Load("s3-object-created-put.json"));

        var message = ErrorJson(post, "LambdaEventNotHandledException").GetProperty("errorMessage").GetString();
        Assert.Contains("S3 notification", message, StringComparison.Ordinal);
    }
}
