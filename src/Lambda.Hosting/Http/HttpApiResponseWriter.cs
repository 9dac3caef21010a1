using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Lambda.Hosting.Http;

/// <summary>Writes the API Gateway HTTP API payload format 2.0 response document.</summary>
internal static class HttpApiResponseWriter
{
    private const string ProblemContentType = "application/problem+json";

    // The payload is JSON for API Gateway, never HTML: escaping only what JSON needs keeps text bodies small.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The payload, or null when it would exceed <paramref name="limitBytes"/>.</summary>
    public static ReadOnlyMemory<byte>? TryWrite(LambdaResponseFeature response, int limitBytes)
    {
        if (response.Buffer.Overflowed)
        {
            return null;
        }

        var body = response.Buffer.Content;
        var payload = Write(response.StatusCode, response.Headers, body, base64: !BodyContentTypes.IsUtf8Text(response.Headers.ContentType));
        // Not "? payload : null": null would convert to an empty ReadOnlyMemory (via byte[]), not to a null result.
        if (payload.Length > limitBytes)
        {
            return null;
        }

        return payload;
    }

    public static ReadOnlyMemory<byte> WriteResponseTooLarge(LambdaHostingOptions options)
    {
        var problem = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["type"] = options.ResponseTooLargeType,
            ["title"] = "Response too large",
            ["status"] = StatusCodes.Status413PayloadTooLarge,
            ["detail"] = options.ResponseTooLargeDetail,
        });
        IHeaderDictionary headers = new HeaderDictionary();
        headers.ContentType = ProblemContentType;
        return Write(StatusCodes.Status413PayloadTooLarge, headers, problem, base64: false);
    }

    private static ReadOnlyMemory<byte> Write(int statusCode, IHeaderDictionary headers, ReadOnlyMemory<byte> body, bool base64)
    {
        var output = new ArrayBufferWriter<byte>(body.Length + 1024);
        using (var json = new Utf8JsonWriter(output, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteNumber("statusCode", statusCode);
            json.WriteStartObject("headers");
            foreach (var (name, values) in headers)
            {
                if (!name.Equals(HeaderNames.SetCookie, StringComparison.OrdinalIgnoreCase))
                {
                    json.WriteString(name, string.Join(',', values.Where(value => value is not null)));
                }
            }

            json.WriteEndObject();
            if (headers.TryGetValue(HeaderNames.SetCookie, out var cookies) && cookies.Count > 0)
            {
                json.WriteStartArray("cookies");
                foreach (var cookie in cookies)
                {
                    json.WriteStringValue(cookie);
                }

                json.WriteEndArray();
            }

            if (!base64 && !IsValidUtf8(body.Span))
            {
                base64 = true;
            }

            if (base64)
            {
                json.WriteBase64String("body", body.Span);
            }
            else
            {
                json.WriteString("body", body.Span);
            }

            json.WriteBoolean("isBase64Encoded", base64);
            json.WriteEndObject();
        }

        return output.WrittenMemory;
    }

    private static bool IsValidUtf8(ReadOnlySpan<byte> bytes) => System.Text.Unicode.Utf8.IsValid(bytes);
}
