using System.Text;
using System.Text.Json;

namespace ReportingApi.TestSupport.Lambda;

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
        if (post.Kind != "response" || post.ContentType != "application/json")
        {
            throw new InvalidOperationException($"Expected a JSON /response post, got {post.Kind} ({post.ContentType}): {Encoding.UTF8.GetString(post.Body)}");
        }

        return new PayloadResponse(JsonDocument.Parse(post.Body).RootElement);
    }
}
