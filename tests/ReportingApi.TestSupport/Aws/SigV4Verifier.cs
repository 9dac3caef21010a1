using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace ReportingApi.TestSupport.Aws;

/// <summary>
/// Checks an AWS SigV4 <c>Authorization</c> header the way a service does: rebuilds the canonical request from what
/// arrived and recomputes the signature. Itself checked against AWS's published test-suite vectors.
/// </summary>
public static partial class SigV4Verifier
{
    public sealed record Authorization(string AccessKey, string Date, string Region, string Service, IReadOnlyList<string> SignedHeaders, string Signature);

    public static Authorization? Parse(string? header)
    {
        var match = header is null ? null : AuthorizationPattern().Match(header);
        if (match is null || !match.Success)
        {
            return null;
        }

        return new Authorization(
            match.Groups["key"].Value, match.Groups["date"].Value, match.Groups["region"].Value, match.Groups["service"].Value,
            match.Groups["headers"].Value.Split(';'), match.Groups["signature"].Value);
    }

    /// <summary>
    /// What a service would refuse in a signed request: a missing or malformed Authorization header, the wrong
    /// credential scope, required headers left unsigned, or a signature that does not verify. Empty when all is right.
    /// </summary>
    public static IReadOnlyList<string> Problems(
        string method, string path, string query, IReadOnlyDictionary<string, string> headers, byte[] body,
        (string AccessKey, string SecretKey, string Region, string Service) expected, params string[] requiredSignedHeaders)
    {
        var authorization = Parse(headers.GetValueOrDefault("Authorization"));
        if (authorization is null)
        {
            return ["Authorization is not a SigV4 header"];
        }

        var problems = new List<string>();
        if (authorization.AccessKey != expected.AccessKey || authorization.Service != expected.Service || authorization.Region != expected.Region)
        {
            problems.Add($"credential scope is {authorization.AccessKey}/{authorization.Region}/{authorization.Service}, not {expected.AccessKey}/{expected.Region}/{expected.Service}");
        }

        problems.AddRange(requiredSignedHeaders.Where(required => !authorization.SignedHeaders.Contains(required)).Select(required => $"SignedHeaders lacks {required}"));
        if (Verify(method, path, query, headers, body, expected.SecretKey) is { } signatureProblem)
        {
            problems.Add(signatureProblem);
        }

        return problems;
    }

    /// <summary>Null when the signature is right, else what is wrong.</summary>
    public static string? Verify(string method, string path, string query, IReadOnlyDictionary<string, string> headers, byte[] body, string secretKey)
    {
        var lowerHeaders = headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value);
        var auth = Parse(lowerHeaders.GetValueOrDefault("authorization"));
        if (auth is null)
        {
            return "Authorization header is not AWS4-HMAC-SHA256 with Credential, SignedHeaders and Signature";
        }

        if (!lowerHeaders.TryGetValue("x-amz-date", out var amzDate) || !amzDate.StartsWith(auth.Date, StringComparison.Ordinal))
        {
            return "X-Amz-Date is missing or not on the credential's date";
        }

        var payloadHash = Hex(SHA256.HashData(body));
        if (lowerHeaders.TryGetValue("x-amz-content-sha256", out var declaredHash) && declaredHash != payloadHash)
        {
            return "X-Amz-Content-SHA256 does not match the body";
        }

        var canonical = new StringBuilder();
        canonical.Append(method).Append('\n').Append(path).Append('\n').Append(CanonicalQuery(query)).Append('\n');
        foreach (var name in auth.SignedHeaders)
        {
            if (!lowerHeaders.TryGetValue(name, out var value))
            {
                return $"signed header '{name}' did not arrive";
            }

            canonical.Append(name).Append(':').Append(Whitespace().Replace(value.Trim(), " ")).Append('\n');
        }

        canonical.Append('\n').Append(string.Join(';', auth.SignedHeaders)).Append('\n').Append(payloadHash);

        var scope = $"{auth.Date}/{auth.Region}/{auth.Service}/aws4_request";
        var stringToSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())))}";
        var key = Encoding.UTF8.GetBytes("AWS4" + secretKey);
        foreach (var part in new[] { auth.Date, auth.Region, auth.Service, "aws4_request" })
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        }

        var expected = Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
        return expected == auth.Signature ? null : "signature does not match";
    }

    private static string CanonicalQuery(string query) =>
        string.Join('&', query.TrimStart('?')
            .Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Contains('=', StringComparison.Ordinal) ? p : p + "=")
            .Order(StringComparer.Ordinal));

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLower(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^AWS4-HMAC-SHA256 Credential=(?<key>[^/]+)/(?<date>\d{8})/(?<region>[^/]+)/(?<service>[^/]+)/aws4_request, ?SignedHeaders=(?<headers>[a-z0-9;-]+), ?Signature=(?<signature>[0-9a-f]{64})$")]
    private static partial Regex AuthorizationPattern();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
