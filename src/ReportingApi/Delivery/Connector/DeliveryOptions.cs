using System.ComponentModel.DataAnnotations;

namespace ReportingApi.Delivery.Connector;

/// <summary>How files reach partners through a Transfer Family connector (section <c>Transfer:Connector</c>).</summary>
public sealed class ConnectorDeliveryOptions
{
    public const string Section = "Transfer:Connector";

    /// <summary>The S3 bucket that holds the object store's keys; connectors read <c>/{bucket}/{key}</c>. Required for AwsConnector delivery.</summary>
    public string? SourceBucket { get; set; }

    /// <summary>Key prefix under which files are staged as <c>{RemoteName}.part</c> for sending (the connector names the remote file after the object).</summary>
    [Required]
    [RegularExpression(@"^[^/].*[^/]$|^[^/]$", ErrorMessage = "StagingPrefix must not start or end with '/'.")]
    public string StagingPrefix { get; set; } = "transfer-staging";

    /// <summary>How often to ask for the results of a transfer.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long to wait for a transfer to complete before giving up (the delivery is retried later).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// How a run learns that the connector is done. Empty: <see cref="ConnectorCompletion.Wait"/>, except on AWS Lambda,
    /// where nothing may wait between invocations and the Lambda wiring makes it <see cref="ConnectorCompletion.Events"/>.
    /// </summary>
    public ConnectorCompletion? Completion { get; set; }

    public ConnectorCompletion EffectiveCompletion => Completion ?? ConnectorCompletion.Wait;

    /// <summary>With <see cref="ConnectorCompletion.Events"/>: how long a sent transfer waits for its event before the run polls ListFileTransferResults (and again between polls).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan EventWait { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>With <see cref="ConnectorCompletion.Events"/>: how long a rename waits for its Remote Move event before the attempt counts as failed (renames cannot be polled).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan RenameWait { get; set; } = TimeSpan.FromMinutes(15);
}

/// <summary>How a run learns that a connector delivery is done.</summary>
public enum ConnectorCompletion
{
    /// <summary>The delivery polls ListFileTransferResults in line until the files are sent, then renames them.</summary>
    Wait,

    /// <summary>
    /// The run is handed over and left <c>sending</c>; the connector's EventBridge events advance it (send completed →
    /// rename → rename completed → delivered), and the sweep or scheduled tick polls transfers whose event never came.
    /// </summary>
    Events,
}

/// <summary>How files reach partners' SFTP servers directly, through SSH.NET (section <c>Transfer:Sftp</c>).</summary>
public sealed class SftpDeliveryOptions
{
    public const string Section = "Transfer:Sftp";

    /// <summary>Time to reach the server and finish the SSH handshake and the login.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Once connected, the longest the server may take to answer a request or to take more data before the attempt fails (and is retried).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(1);
}
