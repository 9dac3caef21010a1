using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Amazon.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using ReportingApi.Secrets;

using ReportingApi.TestSupport.Aws;

namespace ReportingApi.Tests.Secrets;

/// <summary>
/// A loopback stand-in for Secrets Manager's GetSecretValue. It checks what the real one would (POST /, JSON 1.1
/// content type, <c>X-Amz-Target: secretsmanager.GetSecretValue</c>, a SigV4 signature with scope
/// <c>.../secretsmanager/aws4_request</c> that verifies, a JSON body with <c>SecretId</c>) and answers from
/// <see cref="Secrets"/> or with AWS's error shapes: unknown ids are <c>ResourceNotFoundException</c>, ids in
/// <see cref="Denied"/> <c>AccessDeniedException</c>.
/// </summary>
internal sealed class FakeSecretsManager : LoopbackFake
{
    public const string AccessKey = "AKIDFAKESECRETS00001";
    public const string SecretKey = "fake/secret+key/for/the/secrets/fake0001";
    public const string Region = "eu-west-1";

    private readonly ConcurrentQueue<string> _requestedIds = new();
    private readonly ConcurrentQueue<string> _violations = new();

    public ConcurrentDictionary<string, string> Secrets { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, bool> Denied { get; } = new(StringComparer.Ordinal);

    /// <summary>The SecretId of every well-formed request, in order.</summary>
    public IReadOnlyList<string> RequestedIds => [.. _requestedIds];

    public IReadOnlyList<string> ProtocolViolations => [.. _violations];

    public static Task<FakeSecretsManager> StartAsync() => StartAsync(new FakeSecretsManager());

    public SecretsOptions Options(int cacheSeconds = 300) => new()
    {
        Provider = SecretsProvider.SecretsManager,
        Region = Region,
        ServiceUrl = Url.ToString(),
        CacheSeconds = cacheSeconds,
    };

    public SecretsManagerClient CreateClient(string secretKey = SecretKey) =>
        new(Options(), new BasicAWSCredentials(AccessKey, secretKey));

    protected override async Task HandleAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var problems = Check(context.Request, headers, body, out var secretId);
        context.Response.ContentType = "application/x-amz-json-1.1";
        if (problems.Count > 0)
        {
            foreach (var problem in problems)
            {
                _violations.Enqueue(problem);
            }

            await ReplyAsync(context, 400, Error("InvalidSignatureException", string.Join("; ", problems)));
            return;
        }

        _requestedIds.Enqueue(secretId!);
        if (Denied.ContainsKey(secretId!))
        {
            await ReplyAsync(context, 400, Error("AccessDeniedException", $"User: arn:aws:sts::123456789012:assumed-role/test is not authorized to perform: secretsmanager:GetSecretValue on resource: {secretId}"));
        }
        else if (Secrets.TryGetValue(secretId!, out var value))
        {
            await ReplyAsync(context, 200, JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["ARN"] = secretId!,
                ["Name"] = secretId!.Split(':')[^1],
                ["VersionId"] = Guid.NewGuid().ToString(),
                ["SecretString"] = value,
                ["VersionStages"] = new[] { "AWSCURRENT" },
                ["CreatedDate"] = 1.7e9,
            }));
        }
        else
        {
            await ReplyAsync(context, 400, Error("ResourceNotFoundException", "Secrets Manager can't find the specified secret."));
        }
    }

    private static async Task ReplyAsync(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        await context.Response.WriteAsync(json);
    }

    private static string Error(string type, string message) =>
        JsonSerializer.Serialize(new Dictionary<string, string> { ["__type"] = type, ["message"] = message });

    private static List<string> Check(HttpRequest request, Dictionary<string, string> headers, byte[] body, out string? secretId)
    {
        secretId = null;
        var problems = new List<string>();
        if (request.Method != "POST" || request.Path != "/")
        {
            problems.Add($"{request.Method} {request.Path} is not POST /");
        }

        if (headers.GetValueOrDefault("Content-Type") != "application/x-amz-json-1.1")
        {
            problems.Add($"Content-Type is '{headers.GetValueOrDefault("Content-Type")}'");
        }

        if (headers.GetValueOrDefault("X-Amz-Target") != "secretsmanager.GetSecretValue")
        {
            problems.Add($"X-Amz-Target is '{headers.GetValueOrDefault("X-Amz-Target")}'");
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("SecretId", out var id) && id.ValueKind == JsonValueKind.String)
            {
                secretId = id.GetString();
            }
            else
            {
                problems.Add("body has no SecretId string");
            }
        }
        catch (JsonException)
        {
            problems.Add("body is not JSON");
        }

        problems.AddRange(SigV4Verifier.Problems(
            request.Method, request.Path.ToString(), request.QueryString.ToString(), headers, body, (AccessKey, SecretKey, Region, "secretsmanager"), "x-amz-target"));

        return problems;
    }
}
