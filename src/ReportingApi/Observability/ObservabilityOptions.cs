namespace ReportingApi.Observability;

/// <summary><c>Logging:Format</c>: how console logs are written.</summary>
public static class LogFormats
{
    public const string Key = "Logging:Format";

    /// <summary>One JSON object per line (UTC timestamps, scopes included): what CloudWatch Logs Insights reads.</summary>
    public const string Json = "Json";
}

/// <summary>Run metrics.</summary>
public sealed class MetricsOptions
{
    public const string Section = "Metrics";

    /// <summary>Write run metrics to stdout in CloudWatch's embedded metric format (on Lambda); otherwise they are not recorded.</summary>
    public bool Emf { get; set; }
}
