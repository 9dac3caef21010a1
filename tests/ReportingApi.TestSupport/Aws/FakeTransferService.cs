using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ReportingApi.Aws.Transfer;
using ReportingApi.Delivery.Connector;

namespace ReportingApi.TestSupport.Aws;

/// <summary>One request the fake received.</summary>
public sealed record RecordedCall(int Sequence, string Operation, JsonElement Body, IReadOnlyDictionary<string, string> Headers);

/// <summary>What the fake answers: a status and a JSON body, optionally AWS's <c>x-amzn-ErrorType</c> header.</summary>
public sealed record FakeReply(int Status, string Json, string? ErrorTypeHeader = null)
{
    public static FakeReply Ok(object body) => new(200, JsonSerializer.Serialize(body));

    /// <summary>AWS JSON 1.1 error shape: <c>{"__type": "...", "message": "..."}</c>.</summary>
    public static FakeReply Error(int status, string type, string message) =>
        new(status, JsonSerializer.Serialize(new Dictionary<string, string> { ["__type"] = type, ["message"] = message }));
}

/// <summary>
/// A loopback stand-in for the Transfer Family connector operations that moto lacks. moto 5.2.1 (moto/transfer/
/// responses.py) has servers, users, SSH keys and connectors as resources (CreateConnector, DescribeConnector,
/// UpdateConnector, DeleteConnector, ListConnectors), but no StartFileTransfer, ListFileTransferResults,
/// StartRemoteMove or TestConnection, nothing that sends a file, and no EventBridge events.
/// <para>
/// So this fake checks what the real service would, on every request: POST to <c>/</c>, the JSON 1.1 content type,
/// <c>X-Amz-Target: TransferService.{Operation}</c> naming one of those operations, a SigV4 signature (scope
/// <c>.../transfer/aws4_request</c>) that verifies with the one key pair it knows, and a body that AWS's own model of the
/// API accepts (botocore's <c>transfer/2018-11-05/service-2.json.gz</c>, through <see cref="ServiceModel"/>: required
/// members, no unknown member, types, lengths, ranges, enums and patterns). A request that fails a check gets the error
/// AWS would send (InvalidSignatureException, UnknownOperationException, SerializationException, ValidationException)
/// and is listed in <see cref="ProtocolViolations"/>; the others go to <see cref="Handler"/>.
/// </para>
/// </summary>
public sealed partial class FakeTransferService : LoopbackFake
{
    public const string AccessKey = "AKIDFAKETRANSFER0001";
    public const string SecretKey = "fake/secret+key/for/the/transfer/fake0001";
    public const string Region = "eu-central-1";
    private const string JsonContentType = "application/x-amz-json-1.1";

    /// <summary>The connector operations the app's client has and moto does not.</summary>
    public static readonly IReadOnlySet<string> Operations =
        new HashSet<string>(["StartFileTransfer", "ListFileTransferResults", "StartRemoteMove", "TestConnection"]);

    private static readonly Lazy<ServiceModel> Model = new(() => ServiceModel.Load("transfer", "2018-11-05"));

    private readonly ConcurrentQueue<RecordedCall> _calls = new();
    private readonly ConcurrentQueue<string> _violations = new();
    private readonly (string AccessKey, string SecretKey) _credentials;
    private int _sequence;

    private FakeTransferService(Func<RecordedCall, FakeReply> handler, (string AccessKey, string SecretKey) credentials)
    {
        Handler = handler;
        _credentials = credentials;
    }

    public Func<RecordedCall, FakeReply> Handler { get; set; }

    public IReadOnlyList<RecordedCall> Calls => [.. _calls.OrderBy(c => c.Sequence)];

    public IReadOnlyList<string> ProtocolViolations => [.. _violations];

    public IReadOnlyList<RecordedCall> CallsOf(string operation) => [.. Calls.Where(c => c.Operation == operation)];

    /// <param name="credentials">The one key pair whose signatures verify; by default <see cref="AccessKey"/> and <see cref="SecretKey"/>.</param>
    public static Task<FakeTransferService> StartAsync(Func<RecordedCall, FakeReply> handler, (string AccessKey, string SecretKey)? credentials = null) =>
        StartAsync(new FakeTransferService(handler, credentials ?? (AccessKey, SecretKey)));

    public TransferOptions Options(Action<TransferOptions>? configure = null)
    {
        var options = new TransferOptions
        {
            Region = Region,
            ServiceUrl = Url.ToString(),
            MaxAttempts = 4,
            RetryBaseDelay = TimeSpan.FromMilliseconds(1),
            RetryMaxDelay = TimeSpan.FromMilliseconds(20),
            RequestTimeout = TimeSpan.FromSeconds(10),
        };
        configure?.Invoke(options);
        return options;
    }

    public TransferConnectorClient CreateClient(Action<TransferOptions>? configure = null, AWSCredentials? credentials = null) =>
        new(Options(configure), credentials ?? new BasicAWSCredentials(_credentials.AccessKey, _credentials.SecretKey), NullLogger<TransferConnectorClient>.Instance);

    protected override async Task HandleAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var target = headers.GetValueOrDefault("X-Amz-Target") ?? "";
        var prefix = Model.Value.TargetPrefix + ".";
        var operation = target.StartsWith(prefix, StringComparison.Ordinal) ? target[prefix.Length..] : target;
        var json = ParseObject(body);

        var (errorType, status, problems) = Refusal(context.Request, headers, body, operation, json);
        var call = new RecordedCall(Interlocked.Increment(ref _sequence), operation, json ?? default, headers);
        _calls.Enqueue(call);

        FakeReply reply;
        if (problems.Count > 0)
        {
            foreach (var problem in problems)
            {
                _violations.Enqueue($"{operation}: {problem}");
            }

            reply = FakeReply.Error(status, errorType, string.Join("; ", problems));
        }
        else
        {
            reply = Handler(call);
        }

        context.Response.StatusCode = reply.Status;
        context.Response.ContentType = JsonContentType;
        if (reply.ErrorTypeHeader is not null)
        {
            context.Response.Headers["x-amzn-ErrorType"] = reply.ErrorTypeHeader;
        }

        context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        await context.Response.WriteAsync(reply.Json);
    }

    private static JsonElement? ParseObject(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>What AWS would refuse the request with, in the order it checks (empty problems: nothing).</summary>
    private (string ErrorType, int Status, List<string> Problems) Refusal(
        HttpRequest request, Dictionary<string, string> headers, byte[] body, string operation, JsonElement? json)
    {
        var problems = new List<string>();
        if (!AmzDatePattern().IsMatch(headers.GetValueOrDefault("X-Amz-Date") ?? ""))
        {
            problems.Add("X-Amz-Date is missing or not yyyyMMddTHHmmssZ");
        }

        problems.AddRange(SigV4Verifier.Problems(
            request.Method, request.Path.ToString(), request.QueryString.ToString(), headers, body, (_credentials.AccessKey, _credentials.SecretKey, Region, "transfer"),
            "host", "x-amz-date", "x-amz-target", "content-type"));
        if (problems.Count > 0)
        {
            return ("InvalidSignatureException", 403, problems);
        }

        if (request.Method != "POST")
        {
            problems.Add($"method is {request.Method}, not POST");
        }

        if (request.Path != "/" || request.QueryString.HasValue)
        {
            problems.Add($"path is {request.Path}{request.QueryString}, not /");
        }

        if (headers.GetValueOrDefault("Content-Type") != JsonContentType)
        {
            problems.Add($"Content-Type is '{headers.GetValueOrDefault("Content-Type")}', not {JsonContentType}");
        }

        if (problems.Count > 0)
        {
            return ("SerializationException", 400, problems);
        }

        if (!Operations.Contains(operation) || !Model.Value.HasOperation(operation))
        {
            return ("UnknownOperationException", 400, [$"X-Amz-Target '{headers.GetValueOrDefault("X-Amz-Target")}' is not a connector operation of the fake"]);
        }

        if (json is not { } document)
        {
            return ("SerializationException", 400, ["body is not a JSON object"]);
        }

        return ("ValidationException", 400, [.. Model.Value.Problems(operation, document)]);
    }

    [GeneratedRegex(@"^\d{8}T\d{6}Z$")]
    private static partial Regex AmzDatePattern();
}
