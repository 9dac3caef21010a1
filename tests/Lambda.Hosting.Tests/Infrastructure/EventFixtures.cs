using System.Text.Json;

namespace Lambda.Hosting.Tests.Infrastructure;

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
