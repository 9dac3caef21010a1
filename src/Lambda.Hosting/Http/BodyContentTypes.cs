using Microsoft.Net.Http.Headers;

namespace Lambda.Hosting.Http;

/// <summary>Decides whether a response body can travel as a JSON string or must be base64.</summary>
internal static class BodyContentTypes
{
    private static readonly string[] TextMediaTypes =
    [
        "application/json", "application/problem+json", "application/xml", "application/javascript",
    ];

    /// <summary>
    /// Text only when the media type is textual and the charset is UTF-8 (or unspecified, or its ASCII subset);
    /// everything else, including a missing content type, is sent as base64 so no byte is lost.
    /// </summary>
    public static bool IsUtf8Text(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType) || !MediaTypeHeaderValue.TryParse(contentType, out var parsed))
        {
            return false;
        }

        var mediaType = parsed.MediaType.Value ?? string.Empty;
        var textual = mediaType.StartsWith("text/", StringComparison.OrdinalIgnoreCase)
            || TextMediaTypes.Contains(mediaType, StringComparer.OrdinalIgnoreCase)
            || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("+xml", StringComparison.OrdinalIgnoreCase);
        var charset = parsed.Charset.Value;
        return textual && (string.IsNullOrEmpty(charset)
            || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
            || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase)
            || charset.Equals("us-ascii", StringComparison.OrdinalIgnoreCase));
    }
}
