namespace ReportingApi.Aws.Transfer;

/// <summary>
/// The Transfer Family API refused or failed a call. <see cref="ErrorType"/> is AWS's error code
/// (e.g. <c>ThrottlingException</c>); <see cref="StatusCode"/> the HTTP status, 0 when no response arrived.
/// </summary>
public class TransferServiceException(string errorType, int statusCode, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public string ErrorType { get; } = errorType;

    public int StatusCode { get; } = statusCode;

    /// <summary>Worth trying again after a pause: AWS was busy or unreachable, nothing was wrong with the request.</summary>
    public virtual bool IsRetryable => false;

    /// <summary>Builds the exception type that matches AWS's error code.</summary>
    internal static TransferServiceException For(string operation, string errorType, int statusCode, string? awsMessage)
    {
        var message = $"Transfer Family {operation} failed: {errorType} (HTTP {statusCode})"
            + (string.IsNullOrWhiteSpace(awsMessage) ? "." : $": {awsMessage}");
        return errorType switch
        {
            "ThrottlingException" or "Throttling" or "ThrottledException" or "TooManyRequestsException"
                or "RequestLimitExceeded" => new TransferThrottlingException(errorType, statusCode, message),
            "ServiceUnavailableException" or "ServiceUnavailable" or "InternalServiceError" or "InternalFailure"
                => new TransferServiceUnavailableException(errorType, statusCode, message),
            "ResourceNotFoundException" => new TransferResourceNotFoundException(errorType, statusCode, message),
            "ResourceExistsException" => new TransferResourceExistsException(errorType, statusCode, message),
            "AccessDeniedException" or "AccessDenied" or "UnrecognizedClientException" or "InvalidClientTokenId"
                or "IncompleteSignature" or "IncompleteSignatureException" or "InvalidSignatureException"
                or "SignatureDoesNotMatch" or "ExpiredTokenException" or "MissingAuthenticationToken"
                => new TransferAccessDeniedException(errorType, statusCode, message),
            "ValidationException" or "InvalidRequestException" or "InvalidNextTokenException"
                or "SerializationException" or "ConflictException"
                => new TransferValidationException(errorType, statusCode, message),
            _ when statusCode == 429 => new TransferThrottlingException(errorType, statusCode, message),
            _ when statusCode >= 500 => new TransferServiceUnavailableException(errorType, statusCode, message),
            _ => new TransferServiceException(errorType, statusCode, message),
        };
    }
}

/// <summary>AWS throttled the call; retried with backoff.</summary>
public sealed class TransferThrottlingException(string errorType, int statusCode, string message)
    : TransferServiceException(errorType, statusCode, message)
{
    public override bool IsRetryable => true;
}

/// <summary>The service was unavailable, failed internally, or could not be reached; retried with backoff.</summary>
public sealed class TransferServiceUnavailableException(string errorType, int statusCode, string message, Exception? inner = null)
    : TransferServiceException(errorType, statusCode, message, inner)
{
    public override bool IsRetryable => true;
}

/// <summary>The connector, transfer, server, user or key does not exist in this account and region.</summary>
public sealed class TransferResourceNotFoundException(string errorType, int statusCode, string message)
    : TransferServiceException(errorType, statusCode, message);

/// <summary>The resource to create exists already (a user of that name, a key the user has).</summary>
public sealed class TransferResourceExistsException(string errorType, int statusCode, string message)
    : TransferServiceException(errorType, statusCode, message);

/// <summary>The credentials were refused or lack permission.</summary>
public sealed class TransferAccessDeniedException(string errorType, int statusCode, string message)
    : TransferServiceException(errorType, statusCode, message);

/// <summary>The request was malformed or its values invalid.</summary>
public sealed class TransferValidationException(string errorType, int statusCode, string message)
    : TransferServiceException(errorType, statusCode, message);
