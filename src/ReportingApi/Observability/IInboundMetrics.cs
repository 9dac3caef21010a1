namespace ReportingApi.Observability;

/// <summary>What inbound processing reports about partners' uploads (CloudWatch metrics on AWS, nothing by default).</summary>
public interface IInboundMetrics
{
    void FileReceived(string fileId);

    void FileStored(string fileId, long clearBytes);

    /// <param name="reason">The rejection's name (e.g. <c>BadSignature</c>), a property beside the metric.</param>
    void FileRejected(string fileId, string reason);
}

/// <summary>The default: metrics go nowhere.</summary>
public sealed class NoInboundMetrics : IInboundMetrics
{
    public static readonly NoInboundMetrics Instance = new();

    public void FileReceived(string fileId)
    {
    }

    public void FileStored(string fileId, long clearBytes)
    {
    }

    public void FileRejected(string fileId, string reason)
    {
    }
}

/// <summary>Inbound metrics in CloudWatch's embedded metric format (see <see cref="EmfRunMetrics"/>), without dimensions.</summary>
public sealed class EmfInboundMetrics(TextWriter output, TimeProvider clock, ILogger<EmfInboundMetrics> logger) : IInboundMetrics
{
    public void FileReceived(string fileId) => Write(fileId, [(InboundMetricNames.FilesReceived, "Count", 1)]);

    public void FileStored(string fileId, long clearBytes) =>
        Write(fileId, [(InboundMetricNames.FilesStored, "Count", 1), (InboundMetricNames.StoredBytes, "Bytes", clearBytes)]);

    public void FileRejected(string fileId, string reason) => Write(fileId, [(InboundMetricNames.FilesRejected, "Count", 1)]);

    private void Write(string fileId, IReadOnlyList<(string Name, string Unit, double Value)> values) =>
        EmfDocument.Write(output, EmfDocument.Format(clock.GetUtcNow(), values, "InboundFileId", fileId), logger, "inbound file", fileId);
}

/// <summary>The inbound metric names, in the <see cref="RunMetricNames.Namespace"/> namespace.</summary>
public static class InboundMetricNames
{
    public const string FilesReceived = "InboundFilesReceived";
    public const string FilesStored = "InboundFilesStored";
    public const string FilesRejected = "InboundFilesRejected";
    public const string StoredBytes = "InboundStoredBytes";
}
