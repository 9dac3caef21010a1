namespace ReportingApi.Secrets;

/// <summary>
/// A secret could not be read. <see cref="ErrorType"/> is AWS's error code (e.g. <c>AccessDeniedException</c>) or a
/// local one; the message names the reference, never the value.
/// </summary>
public class SecretSourceException(string errorType, string message, Exception? inner = null) : Exception(message, inner)
{
    public string ErrorType { get; } = errorType;

    internal static SecretSourceException For(string reference, string errorType, int statusCode, string? awsMessage)
    {
        var message = $"Secrets Manager GetSecretValue for {reference} failed: {errorType} (HTTP {statusCode})"
            + (string.IsNullOrWhiteSpace(awsMessage) ? "." : $": {awsMessage}");
        return errorType switch
        {
            "ResourceNotFoundException" => new SecretNotFoundException(errorType, message),
            "AccessDeniedException" or "AccessDenied" or "UnrecognizedClientException" or "InvalidClientTokenId" or "IncompleteSignature"
                or "InvalidSignatureException" or "SignatureDoesNotMatch" or "ExpiredTokenException" or "MissingAuthenticationToken"
                or "DecryptionFailure" => new SecretAccessDeniedException(errorType, message),
            _ => new SecretSourceException(errorType, message),
        };
    }
}

/// <summary>There is no secret (or no current value) under the reference.</summary>
public sealed class SecretNotFoundException(string errorType, string message) : SecretSourceException(errorType, message);

/// <summary>The credentials were refused, or lack permission to read (or decrypt) the secret.</summary>
public sealed class SecretAccessDeniedException(string errorType, string message) : SecretSourceException(errorType, message);
