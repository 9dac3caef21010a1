using System.Text.Json;

namespace ReportingApi.Secrets;

/// <summary>
/// Reads a secret's text that is either the value itself or a JSON object of string fields, the shapes AWS gives secrets:
/// RDS's <c>{"username": ..., "password": ...}</c>, a Transfer Family connector's <c>{"PrivateKey": ..., "Password": ...}</c>.
/// Never quotes the text: a parser's message could hold part of the secret, so it is dropped.
/// </summary>
public static class JsonSecret
{
    /// <summary>
    /// The string fields (names compared without regard to case; of two that differ only in case, the first) when the text
    /// is a JSON object; null when it is not JSON (a password may well start with a brace) or JSON of another shape.
    /// </summary>
    public static IReadOnlyDictionary<string, string>? Fields(string text)
    {
        if (!text.TrimStart().StartsWith('{'))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind != JsonValueKind.Object
                ? null
                : document.RootElement.EnumerateObject()
                    .Where(property => property.Value.ValueKind == JsonValueKind.String)
                    .DistinctBy(property => property.Name, StringComparer.OrdinalIgnoreCase)
                    .ToDictionary(property => property.Name, property => property.Value.GetString()!, StringComparer.OrdinalIgnoreCase);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The first line of a plain secret: a password or passphrase has no line break, and a file written with echo ends in one.</summary>
    public static string? FirstLine(string text) => new StringReader(text).ReadLine();
}
