using System.Text;
using System.Text.Json;

namespace Lambda.Hosting.Tests.Infrastructure;

/// <summary>An HTTP API payload 2.0 response as the function posted it to <c>/response</c>.</summary>
public sealed class PayloadResponse
{
    private PayloadResponse(JsonElement root) => Root = root;

    public JsonElement Root { get; }

    public int StatusCode => Root.GetProperty("statusCode").GetInt32();

    public bool IsBase64Encoded => Root.GetProperty("isBase64Encoded").GetBoolean();

    public string BodyText => Root.GetProperty("body").GetString()!;

    public byte[] BodyBytes => IsBase64Encoded ? Convert.FromBase64String(BodyText) : Encoding.UTF8.GetBytes(BodyText);

    public JsonElement BodyJson => JsonDocument.Parse(BodyBytes).RootElement;

    public string? Header(string name) =>
        Root.GetProperty("headers").EnumerateObject()
            .Where(header => header.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            .Select(header => header.Value.GetString())
            .SingleOrDefault();

    public string[] Cookies =>
        Root.TryGetProperty("cookies", out var cookies) ? cookies.EnumerateArray().Select(c => c.GetString()!).ToArray() : [];

    public static PayloadResponse From(RuntimePost post)
    {
        Assert.Equal("response", post.Kind);
        Assert.Equal("application/json", post.ContentType);
        return new PayloadResponse(JsonDocument.Parse(post.Body).RootElement);
    }
}

public static class EventFixtures
{
    public static string Load(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Events", name));

    /// <summary>A minimal GET event for the given raw path and query.</summary>
    public static string Get(string rawPath, string rawQueryString = "") => JsonSerializer.Serialize(new
    {
        version = "2.0",
        rawPath,
        rawQueryString,
        headers = new Dictionary<string, string> { ["host"] = "abc123.execute-api.eu-central-1.amazonaws.com" },
        requestContext = new
        {
            http = new { method = "GET", path = rawPath, protocol = "HTTP/1.1", sourceIp = "203.0.113.9" },
            requestId = "get-" + Guid.NewGuid(),
            stage = "$default",
        },
        isBase64Encoded = false,
    });
}
