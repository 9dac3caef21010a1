using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lambda.Hosting.RuntimeApi;

/// <summary>The error document the Runtime API expects on <c>/error</c> and <c>/init/error</c>.</summary>
internal sealed record LambdaError(
    [property: JsonPropertyName("errorMessage")] string ErrorMessage,
    [property: JsonPropertyName("errorType")] string ErrorType,
    [property: JsonPropertyName("stackTrace")] IReadOnlyList<string> StackTrace)
{
    public static LambdaError From(Exception exception)
    {
        var stackTrace = (exception.StackTrace ?? string.Empty)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return new LambdaError(exception.Message, exception.GetType().Name, stackTrace);
    }

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, LambdaJsonContext.Default.LambdaError);
}
