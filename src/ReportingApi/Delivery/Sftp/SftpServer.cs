namespace ReportingApi.Delivery.Sftp;

/// <summary>A checked SFTP destination: where to connect, as whom, and the pinned host key.</summary>
internal sealed record SftpServer(string Host, int Port, string User, SshHostKey HostKey)
{
    public static SftpServer From(DeliveryTarget target)
    {
        var host = target.Host?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(host) || Uri.CheckHostName(host) == UriHostNameType.Unknown)
        {
            throw Invalid("has no valid Host");
        }

        if (target.Port is < 1 or > 65535)
        {
            throw Invalid("has no valid Port");
        }

        if (string.IsNullOrWhiteSpace(target.User))
        {
            throw Invalid("has no valid User");
        }

        return SshHostKey.TryParse(target.HostKey, out var hostKey)
            ? new SftpServer(host, target.Port, target.User, hostKey)
            : throw Invalid("has no valid HostKey (expected \"type base64\" as in known_hosts, e.g. \"ssh-ed25519 AAAA...\"); the host key is never trusted on first use");
    }

    public override string ToString() => $"{Host}:{Port}";

    private static DeliveryException Invalid(string what) => new($"The SFTP delivery target {what}.", transient: false);
}
