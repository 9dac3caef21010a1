namespace ReportingApi.Problems;

/// <summary>
/// The stable <c>type</c> URIs of every RFC 9457 problem this API returns. Clients may switch on them; they never
/// change meaning. The README lists them.
/// </summary>
public static class ProblemTypes
{
    private const string Base = "https://reportingapi.example.com/problems/";

    public const string InvalidParameters = Base + "invalid-parameters";
    public const string UnknownReport = Base + "unknown-report";
    public const string NotFound = Base + "not-found";
    public const string MethodNotAllowed = Base + "method-not-allowed";
    public const string BadRequest = Base + "bad-request";
    public const string Unauthenticated = Base + "unauthenticated";
    public const string InsufficientScope = Base + "insufficient-scope";
    public const string UnknownClient = Base + "unknown-client";
    public const string PartnerInactive = Base + "partner-inactive";
    public const string IpNotAllowed = Base + "ip-not-allowed";
    public const string ReportNotAllowed = Base + "report-not-allowed";
    public const string PartnerNotConfigured = Base + "partner-not-configured";
    public const string IdempotencyKeyReused = Base + "idempotency-key-reused";
    public const string RunNotFound = Base + "run-not-found";
    public const string RunFileNotReady = Base + "run-file-not-ready";
    public const string RunInProgress = Base + "run-in-progress";
    public const string PartnerNotFound = Base + "partner-not-found";
    public const string SubscriptionNotFound = Base + "subscription-not-found";
    public const string SubscriptionPausedByOperator = Base + "subscription-paused-by-operator";
    public const string WebhookNotFound = Base + "webhook-not-found";
    public const string InvalidPgpKey = Base + "invalid-pgp-key";
    public const string InboundFileNotFound = Base + "inbound-file-not-found";
    public const string ServiceUnavailable = Base + "service-unavailable";
    public const string InternalError = Base + "internal-error";

    /// <summary>The type for a bare status code (404 from routing, 405, 415 ...).</summary>
    public static string ForStatus(int status) => status switch
    {
        StatusCodes.Status401Unauthorized => Unauthenticated,
        StatusCodes.Status403Forbidden => InsufficientScope,
        StatusCodes.Status404NotFound => NotFound,
        StatusCodes.Status405MethodNotAllowed => MethodNotAllowed,
        StatusCodes.Status503ServiceUnavailable => ServiceUnavailable,
        >= 500 => InternalError,
        _ => BadRequest,
    };
}
