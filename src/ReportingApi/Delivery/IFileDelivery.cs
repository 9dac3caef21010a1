namespace ReportingApi.Delivery;

/// <summary>How a partner's files reach its SFTP server.</summary>
public enum DeliveryKind
{
    /// <summary>A folder per partner on local disk (embedded default: the "SFTP server" is a folder).</summary>
    Folder,

    /// <summary>The partner's SFTP server, reached directly (SSH.NET): pinned host key, login by private key or password from the secret source.</summary>
    Sftp,

    /// <summary>An AWS Transfer Family SFTP connector, which sends objects from S3.</summary>
    AwsConnector,
}

/// <summary>One partner's delivery destination; which fields apply depends on <see cref="Kind"/>.</summary>
/// <param name="RemoteDirectory">Directory on the partner's server (Sftp, AwsConnector), e.g. <c>/inbound/reports</c>.</param>
/// <param name="FolderPath">Local folder (Folder).</param>
/// <param name="Host">SFTP host (Sftp).</param>
/// <param name="Port">SFTP port (Sftp).</param>
/// <param name="User">SFTP user (Sftp).</param>
/// <param name="HostKey">The server's public host key as in known_hosts: <c>"ssh-ed25519 AAAA..."</c> (Sftp). Required: never trust on first use.</param>
/// <param name="PrivateKeySecret">Reference to the secret holding the login's private key (Sftp); see <see cref="Secrets.SecretReferences"/>.</param>
/// <param name="PassphraseSecret">Reference to the secret holding the private key's passphrase, if it has one (Sftp).</param>
/// <param name="PasswordSecret">Reference to the secret holding the login's password (Sftp).</param>
/// <param name="ConnectorId">Transfer Family connector id, e.g. <c>c-1234567890abcdef0</c> (AwsConnector).</param>
public sealed record DeliveryTarget(
    DeliveryKind Kind,
    string RemoteDirectory = "/",
    string? FolderPath = null,
    string? Host = null,
    int Port = 22,
    string? User = null,
    string? HostKey = null,
    string? PrivateKeySecret = null,
    string? PassphraseSecret = null,
    string? PasswordSecret = null,
    string? ConnectorId = null);

/// <summary>A file to deliver: the object-store key it is read from and the name it must have on the partner's server.</summary>
public sealed record DeliveryFile(string ObjectKey, string RemoteName);

/// <summary>
/// Puts files on a partner's server atomically: each goes up as <c>{RemoteName}.part</c> and is renamed to
/// <c>RemoteName</c> only once it is complete, so the partner never sees a partial file under a final name.
/// Files are renamed in the order given (the checksum file last). A new kind of delivery is a class implementing this
/// (and <see cref="IHandoverDelivery"/> if an outside service finishes it), registered in <c>AddDelivery</c>.
/// </summary>
public interface IFileDelivery
{
    DeliveryKind Kind { get; }

    /// <summary>
    /// Delivers all files, or starts a delivery that an outside service finishes later and answers
    /// <see cref="DeliveryOutcome.HandedOver"/>; throws <see cref="DeliveryException"/> with a reason fit for the run's
    /// record (no secrets).
    /// </summary>
    Task<DeliveryOutcome> DeliverAsync(DeliveryTarget target, IReadOnlyList<DeliveryFile> files, CancellationToken cancellationToken);
}

/// <summary>
/// A delivery that may hand its files over to an outside service (the Transfer connector), whose events end it later
/// through the <see cref="IHandoverStore"/>.
/// </summary>
public interface IHandoverDelivery : IFileDelivery
{
    /// <summary>
    /// The handover's events did not come in time: asks the service how far it got and moves the handover on, or ends it
    /// and throws <see cref="DeliveryException"/> with the reason.
    /// </summary>
    Task ResumeAsync(PendingHandover handover, CancellationToken cancellationToken);
}

/// <summary>How a delivery ended: the files are on the partner's server, or handed over to a service that finishes later.</summary>
/// <param name="Handover">Null when delivered; otherwise what the owner of the delivery (a run) saves until it ends.</param>
public sealed record DeliveryOutcome(HandoverProgress? Handover)
{
    public static DeliveryOutcome Delivered { get; } = new((HandoverProgress?)null);

    public static DeliveryOutcome HandedOver(HandoverProgress progress) => new(progress);
}

/// <summary>A delivery failed. <see cref="Transient"/>: worth retrying (server down, timeout); otherwise a configuration problem.</summary>
public sealed class DeliveryException(string reason, bool transient, Exception? inner = null) : Exception(reason, inner)
{
    public bool Transient { get; } = transient;
}
