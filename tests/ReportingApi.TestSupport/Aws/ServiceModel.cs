using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ReportingApi.TestSupport.Aws;

/// <summary>
/// AWS's own model of an API, as botocore ships it (<c>botocore/data/{service}/{version}/service-2.json.gz</c>, found
/// through the python3 of tests/install/aws-tools.sh), used to check request bodies the way the service's front end
/// does: the operation exists, required members are there, no member is unknown, and every value has the member's
/// type, enum value, length or range, and pattern. Patterns are regular expressions that the model does not anchor
/// (Smithy's rule), so a value passes when the pattern matches within it.
/// </summary>
public sealed class ServiceModel
{
    private readonly JsonElement _operations;
    private readonly JsonElement _shapes;

    private ServiceModel(JsonElement root)
    {
        _operations = root.GetProperty("operations");
        _shapes = root.GetProperty("shapes");
        TargetPrefix = root.GetProperty("metadata").GetProperty("targetPrefix").GetString()!;
    }

    /// <summary>The <c>X-Amz-Target</c> prefix of the service's JSON protocol, e.g. <c>TransferService</c>.</summary>
    public string TargetPrefix { get; }

    public static ServiceModel Load(string service, string apiVersion)
    {
        using var file = File.OpenRead(AwsTools.ServiceModelPath(service, apiVersion));
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var document = JsonDocument.Parse(gzip);
        return new ServiceModel(document.RootElement.Clone());
    }

    public bool HasOperation(string operation) => _operations.TryGetProperty(operation, out _);

    /// <summary>What the service would refuse in this request body; empty when the model accepts it.</summary>
    public IReadOnlyList<string> Problems(string operation, JsonElement body)
    {
        if (!_operations.TryGetProperty(operation, out var definition))
        {
            return [$"{operation} is not an operation of the model"];
        }

        var problems = new List<string>();
        if (definition.TryGetProperty("input", out var input))
        {
            Check(input.GetProperty("shape").GetString()!, body, operation, problems);
        }

        return problems;
    }

    private void Check(string shapeName, JsonElement value, string path, List<string> problems)
    {
        var shape = _shapes.GetProperty(shapeName);
        var type = shape.GetProperty("type").GetString();
        switch (type)
        {
            case "structure" when value.ValueKind == JsonValueKind.Object:
                CheckStructure(shape, value, path, problems);
                break;
            case "list" when value.ValueKind == JsonValueKind.Array:
                CheckLength(shape, value.GetArrayLength(), path, "members", problems);
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    Check(shape.GetProperty("member").GetProperty("shape").GetString()!, item, $"{path}[{index++}]", problems);
                }

                break;
            case "map" when value.ValueKind == JsonValueKind.Object:
                foreach (var entry in value.EnumerateObject())
                {
                    CheckString(_shapes.GetProperty(shape.GetProperty("key").GetProperty("shape").GetString()!), entry.Name, $"{path} key", problems);
                    Check(shape.GetProperty("value").GetProperty("shape").GetString()!, entry.Value, $"{path}.{entry.Name}", problems);
                }

                break;
            case "string" when value.ValueKind == JsonValueKind.String:
                CheckString(shape, value.GetString()!, path, problems);
                break;
            case "integer" or "long" when value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number):
                CheckRange(shape, number, path, problems);
                break;
            case "double" or "float" when value.ValueKind == JsonValueKind.Number:
            case "boolean" when value.ValueKind is JsonValueKind.True or JsonValueKind.False:
            case "timestamp" when value.ValueKind is JsonValueKind.Number or JsonValueKind.String:
            case "blob" when value.ValueKind == JsonValueKind.String:
                break;
            default:
                problems.Add($"{path} is {value.ValueKind}, not the model's {type} ({shapeName})");
                break;
        }
    }

    private void CheckStructure(JsonElement shape, JsonElement value, string path, List<string> problems)
    {
        var members = shape.GetProperty("members");
        if (shape.TryGetProperty("required", out var required))
        {
            problems.AddRange(required.EnumerateArray()
                .Select(name => name.GetString()!)
                .Where(name => !value.TryGetProperty(name, out var present) || present.ValueKind == JsonValueKind.Null)
                .Select(name => $"{path}.{name} is required"));
        }

        foreach (var member in value.EnumerateObject())
        {
            if (!members.TryGetProperty(member.Name, out var definition))
            {
                problems.Add($"{path}.{member.Name} is not a member of the model");
            }
            else if (member.Value.ValueKind != JsonValueKind.Null)
            {
                Check(definition.GetProperty("shape").GetString()!, member.Value, $"{path}.{member.Name}", problems);
            }
        }
    }

    private static void CheckString(JsonElement shape, string text, string path, List<string> problems)
    {
        if (shape.TryGetProperty("enum", out var values) && !values.EnumerateArray().Any(v => v.GetString() == text))
        {
            problems.Add($"{path} '{text}' is none of {string.Join(", ", values.EnumerateArray())}");
        }

        CheckLength(shape, text.Length, path, "characters", problems);
        if (shape.TryGetProperty("pattern", out var pattern) && !Regex.IsMatch(text, pattern.GetString()!, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)))
        {
            problems.Add($"{path} '{text}' does not match {pattern.GetString()}");
        }
    }

    private static void CheckLength(JsonElement shape, int length, string path, string unit, List<string> problems) =>
        CheckRange(shape, length, path, problems, unit);

    private static void CheckRange(JsonElement shape, long value, string path, List<string> problems, string? unit = null)
    {
        var what = unit is null ? value.ToString(CultureInfo.InvariantCulture) : $"{value} {unit}";
        if (shape.TryGetProperty("min", out var min) && value < min.GetInt64())
        {
            problems.Add($"{path} has {what}, fewer than {min.GetInt64()}");
        }

        if (shape.TryGetProperty("max", out var max) && value > max.GetInt64())
        {
            problems.Add($"{path} has {what}, more than {max.GetInt64()}");
        }
    }
}
