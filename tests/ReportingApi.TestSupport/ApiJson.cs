using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReportingApi.TestSupport;

/// <summary>The app's JSON as a client reads it: web defaults, enums by name (as Program.cs writes them).</summary>
public static class ApiJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerOptions.Web) { Converters = { new JsonStringEnumConverter() } };
}
