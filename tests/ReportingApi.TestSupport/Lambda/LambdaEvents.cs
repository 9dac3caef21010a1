using System.Text.Json;

namespace ReportingApi.TestSupport.Lambda;

/// <summary>Events as API Gateway (HTTP API, payload 2.0, JWT authorizer), EventBridge and S3 send them to the function.</summary>
public static class LambdaEvents
{
    private static readonly string[] TickRuleArns = ["arn:aws:events:eu-central-1:123456789012:rule/reporting-api-tick"];

    /// <summary>
    /// The <c>authorization</c> header API Gateway forwards with a request its JWT authorizer let through. The app must
    /// go by the authorizer's claims and not validate the token again; this one is JWT-shaped but signed by no one.
    /// </summary>
    public const string ForwardedAuthorization = "Bearer eyJraWQiOiJrMSIsImFsZyI6IlJTMjU2In0.eyJjbGllbnRfaWQiOiJkZW1vLWFjbWUiLCJ0b2tlbl91c2UiOiJhY2Nlc3MifQ.c2lnbmVkLWJ5LW5vLW9uZQ";

    /// <summary>
    /// A GET through the JWT authorizer: API Gateway has already validated the token, so the event carries its
    /// claims and the scopes it checked (and, as API Gateway forwards it, the token in <c>authorization</c>).
    /// </summary>
    public static string AuthorizedGet(string rawPath, string rawQueryString, string clientId, params string[] scopes) =>
        Request("GET", rawPath, rawQueryString, Authorizer(clientId, scopes), body: null, extraHeaders: null);

    /// <summary>A POST, PUT or other request with a JSON body through the JWT authorizer, with extra headers (e.g. <c>idempotency-key</c>).</summary>
    public static string AuthorizedSend(string method, string rawPath, string jsonBody, IReadOnlyDictionary<string, string> headers, string clientId, params string[] scopes) =>
        Request(method, rawPath, "", Authorizer(clientId, scopes), jsonBody, headers);

    /// <summary>A GET on a route without an authorizer (health).</summary>
    public static string AnonymousGet(string rawPath, string rawQueryString = "") => Request("GET", rawPath, rawQueryString, authorizer: null, body: null, extraHeaders: null);

    /// <summary>An <c>SFTP Connector File Send Completed|Failed</c> event (failed when <paramref name="failureCode"/> is given).</summary>
    public static string FileSendEvent(string connectorId, string transferId, string filePath, string? failureCode = null, string? failureMessage = null) =>
        TransferEvent(failureCode is null ? "SFTP Connector File Send Completed" : "SFTP Connector File Send Failed", new Dictionary<string, object?>
        {
            ["operation"] = "SEND",
            ["connector-id"] = connectorId,
            ["transfer-id"] = transferId,
            ["file-transfer-id"] = Guid.NewGuid().ToString(),
            ["url"] = "sftp://partner.example.com",
            ["file-path"] = filePath,
            ["status-code"] = failureCode is null ? "COMPLETED" : "FAILED",
            ["failure-code"] = failureCode,
            ["failure-message"] = failureMessage,
            ["start-timestamp"] = DateTimeOffset.UtcNow.AddSeconds(-2).ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["end-timestamp"] = DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        });

    /// <summary>An <c>SFTP Connector Remote Move Completed|Failed</c> event (failed when <paramref name="failureCode"/> is given).</summary>
    public static string RemoteMoveEvent(string connectorId, string moveId, string sourcePath, string targetPath, string? failureCode = null, string? failureMessage = null) =>
        TransferEvent(failureCode is null ? "SFTP Connector Remote Move Completed" : "SFTP Connector Remote Move Failed", new Dictionary<string, object?>
        {
            ["operation"] = "MOVE",
            ["connector-id"] = connectorId,
            ["move-id"] = moveId,
            ["url"] = "sftp://partner.example.com",
            ["move-source-path"] = sourcePath,
            ["move-target-path"] = targetPath,
            ["status-code"] = failureCode is null ? "COMPLETED" : "FAILED",
            ["failure-code"] = failureCode,
            ["failure-message"] = failureMessage,
        });

    private static string TransferEvent(string detailType, Dictionary<string, object?> detail) => EventBridgeEvent(
        "aws.transfer",
        detailType,
        [$"arn:aws:transfer:eu-central-1:123456789012:connector/{detail["connector-id"]}"],
        detail.Where(pair => pair.Value is not null).ToDictionary(pair => pair.Key, pair => pair.Value));

    /// <summary>The EventBridge envelope around <paramref name="detail"/>.</summary>
    private static string EventBridgeEvent(string source, string detailType, string[] resources, object detail) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["version"] = "0",
        ["id"] = Guid.NewGuid().ToString(),
        ["detail-type"] = detailType,
        ["source"] = source,
        ["account"] = "123456789012",
        ["time"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
        ["region"] = "eu-central-1",
        ["resources"] = resources,
        ["detail"] = detail,
    });

    private static object Authorizer(string clientId, string[] scopes) => new
        {
            jwt = new
            {
                claims = new Dictionary<string, string>
                {
                    ["client_id"] = clientId,
                    ["token_use"] = "access",
                    ["scope"] = string.Join(' ', scopes),
                    ["iss"] = "https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_TEST",
                },
                scopes,
            },
        };

    /// <summary>The event of an EventBridge schedule rule.</summary>
    public static string ScheduledTick() => EventBridgeEvent("aws.events", "Scheduled Event", TickRuleArns, new Dictionary<string, object>());

    /// <summary>
    /// An S3 event notification for one created object (<c>ObjectCreated:Put</c>), as S3 sends it: the key
    /// form-encoded (a space is <c>+</c>), the ETag without quotes.
    /// </summary>
    public static string S3ObjectCreated(string bucket, string key, long size, string etag) => JsonSerializer.Serialize(new
    {
        Records = new[]
        {
            new Dictionary<string, object>
            {
                ["eventVersion"] = "2.1",
                ["eventSource"] = "aws:s3",
                ["awsRegion"] = "eu-central-1",
                ["eventTime"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
                ["eventName"] = "ObjectCreated:Put",
                ["userIdentity"] = new { principalId = "AWS:AIDAEXAMPLE" },
                ["requestParameters"] = new { sourceIPAddress = "203.0.113.9" },
                ["responseElements"] = new Dictionary<string, string> { ["x-amz-request-id"] = "C3D13FE58DE4C810", ["x-amz-id-2"] = "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD" },
                ["s3"] = new Dictionary<string, object>
                {
                    ["s3SchemaVersion"] = "1.0",
                    ["configurationId"] = "partner-outboxes",
                    ["bucket"] = new { name = bucket, ownerIdentity = new { principalId = "A3NL1KOZZKExample" }, arn = "arn:aws:s3:::" + bucket },
                    ["object"] = new { key = System.Net.WebUtility.UrlEncode(key).Replace("%2F", "/", StringComparison.Ordinal), size, eTag = etag, sequencer = "0055AED6DCD90281E5" },
                },
            },
        },
    });

    private static string Request(string method, string rawPath, string rawQueryString, object? authorizer, string? body, IReadOnlyDictionary<string, string>? extraHeaders) => JsonSerializer.Serialize(new
    {
        version = "2.0",
        routeKey = "$default",
        rawPath,
        rawQueryString,
        headers = new Dictionary<string, string>
        {
            ["host"] = "abc123.execute-api.eu-central-1.amazonaws.com",
            ["user-agent"] = "ReportingApi.Tests",
        }.Concat(body is null ? [] : [KeyValuePair.Create("content-type", "application/json")])
            .Concat(authorizer is null ? [] : [KeyValuePair.Create("authorization", ForwardedAuthorization)]).Concat(extraHeaders ?? new Dictionary<string, string>()).ToDictionary(),
        body,
        requestContext = new
        {
            accountId = "123456789012",
            apiId = "abc123",
            authorizer,
            domainName = "abc123.execute-api.eu-central-1.amazonaws.com",
            http = new { method, path = rawPath, protocol = "HTTP/1.1", sourceIp = "203.0.113.9", userAgent = "ReportingApi.Tests" },
            requestId = "req-" + Guid.NewGuid(),
            routeKey = "$default",
            stage = "$default",
            timeEpoch = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        },
        isBase64Encoded = false,
    });
}
