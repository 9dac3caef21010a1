using ReportingApi.Delivery;

namespace ReportingApi.Partners;

/// <summary>A row of <c>partners</c>. Settable properties, not a record: Dapper converts MySQL's and SQLite's column types into them alike.</summary>
internal sealed class PartnerRow
{
    public const string Columns =
        """
        id AS Id, name AS Name, client_id AS ClientId, active AS Active, ip_allowlist AS IpAllowlist, allowed_reports AS AllowedReports,
        allowed_formats AS AllowedFormats, pgp_public_key AS PgpPublicKey, pgp_fingerprint AS PgpFingerprint, delivery_kind AS DeliveryKind,
        remote_directory AS RemoteDirectory, folder_path AS FolderPath, sftp_host AS SftpHost, sftp_port AS SftpPort,
        sftp_user AS SftpUser, sftp_host_key AS SftpHostKey, sftp_private_key_secret AS SftpPrivateKeySecret,
        sftp_passphrase_secret AS SftpPassphraseSecret, sftp_password_secret AS SftpPasswordSecret, connector_id AS ConnectorId,
        delete_outbox_after_delivery AS DeleteOutboxAfterDelivery
        """;

    public int Id { get; set; }

    public string Name { get; set; } = "";

    public string ClientId { get; set; } = "";

    public int Active { get; set; }

    public string? IpAllowlist { get; set; }

    public string? AllowedReports { get; set; }

    public string? AllowedFormats { get; set; }

    public string? PgpPublicKey { get; set; }

    public string? PgpFingerprint { get; set; }

    public string? DeliveryKind { get; set; }

    public string? RemoteDirectory { get; set; }

    public string? FolderPath { get; set; }

    public string? SftpHost { get; set; }

    public int? SftpPort { get; set; }

    public string? SftpUser { get; set; }

    public string? SftpHostKey { get; set; }

    public string? SftpPrivateKeySecret { get; set; }

    public string? SftpPassphraseSecret { get; set; }

    public string? SftpPasswordSecret { get; set; }

    public string? ConnectorId { get; set; }

    public int? DeleteOutboxAfterDelivery { get; set; }

    public PartnerAccount ToAccount(IReadOnlyList<int> employerIds) => new(
        Id,
        new PartnerSettings(
            Name, ClientId, Active != 0, employerIds, Partner.SplitList(IpAllowlist), Partner.SplitList(AllowedReports), Partner.SplitList(AllowedFormats),
            DeleteOutboxAfterDelivery is > 0),
        PgpFingerprint,
        Target());

    public DeliveryTarget? Target() =>
        Enum.TryParse<DeliveryKind>(DeliveryKind, ignoreCase: true, out var kind)
            ? new DeliveryTarget(kind, RemoteDirectory ?? "/", FolderPath, SftpHost, SftpPort ?? 22, SftpUser, SftpHostKey,
                SftpPrivateKeySecret, SftpPassphraseSecret, SftpPasswordSecret, ConnectorId)
            : null;
}
