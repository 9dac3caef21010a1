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
using ReportingApi.Transfer;


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
/// A loopback stand-in for the Transfer Family API that checks what the real one would: POST to <c>/</c>, the JSON 1.1
/// content type, <c>X-Amz-Target: TransferService.{Operation}</c>, a SigV4 signature (scope <c>.../transfer/aws4_request</c>)
/// that verifies with the test secret, and a JSON object body. A request that fails a check is answered with an AWS
/// error and listed in <see cref="ProtocolViolations"/>.
/// </summary>
public sealed partial class FakeTransferService : LoopbackFake
{
    public const string AccessKey = "AKIDFAKETRANSFER0001";
    public const string SecretKey = "fake/secret+key/for/the/transfer/fake0001";
    public const string Region = "eu-central-1";
    private const string JsonContentType = "application/x-amz-json-1.1";

    private static readonly HashSet<string> Operations =
        ["StartFileTransfer", "ListFileTransferResults", "StartRemoteMove", "DescribeConnector", "TestConnection"];

    private readonly ConcurrentQueue<RecordedCall> _calls = new();
    private readonly ConcurrentQueue<string> _violations = new();
    private int _sequence;

    private readonly (string AccessKey, string SecretKey) _credentials;

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
        var operation = target.StartsWith("TransferService.", StringComparison.Ordinal) ? target["TransferService.".Length..] : target;

        var problems = Check(context.Request, headers, body, operation);
        JsonElement json = default;
        try
        {
            using var document = JsonDocument.Parse(body);
            json = document.RootElement.Clone();
            if (json.ValueKind != JsonValueKind.Object)
            {
                problems.Add("body is not a JSON object");
            }
        }
        catch (JsonException)
        {
            problems.Add("body is not JSON");
        }

        var call = new RecordedCall(Interlocked.Increment(ref _sequence), operation, json, headers);
        _calls.Enqueue(call);

        FakeReply reply;
        if (problems.Count > 0)
        {
            foreach (var problem in problems)
            {
                _violations.Enqueue($"{operation}: {problem}");
            }

            reply = FakeReply.Error(400, "IncompleteSignatureException", string.Join("; ", problems));
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

    private List<string> Check(HttpRequest request, Dictionary<string, string> headers, byte[] body, string operation)
    {
        var problems = new List<string>();
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

        if (!Operations.Contains(operation))
        {
            problems.Add($"X-Amz-Target '{headers.GetValueOrDefault("X-Amz-Target")}' is not a TransferService operation");
        }

        if (!AmzDatePattern().IsMatch(headers.GetValueOrDefault("X-Amz-Date") ?? ""))
        {
            problems.Add("X-Amz-Date is missing or not yyyyMMddTHHmmssZ");
        }

        problems.AddRange(SigV4Verifier.Problems(
            request.Method, request.Path.ToString(), request.QueryString.ToString(), headers, body, (_credentials.AccessKey, _credentials.SecretKey, Region, "transfer"),
            "host", "x-amz-date", "x-amz-target", "content-type"));

        return problems;
    }

    [GeneratedRegex(@"^\d{8}T\d{6}Z$")]
    private static partial Regex AmzDatePattern();
}
