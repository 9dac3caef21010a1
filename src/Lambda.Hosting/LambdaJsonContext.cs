using System.Text.Json;
using System.Text.Json.Serialization;
using Lambda.Hosting.Http;
using Lambda.Hosting.RuntimeApi;

namespace Lambda.Hosting;

/// <summary>
/// The bridge's JSON models, serialized by code generated at build time: the reflection-based serializer would build
/// their converters while the first request of a cold start waits.
/// </summary>
[JsonSerializable(typeof(HttpApiRequest))]
[JsonSerializable(typeof(LambdaError))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class LambdaJsonContext : JsonSerializerContext;
