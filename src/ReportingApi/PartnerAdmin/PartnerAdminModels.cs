using System.Net;
using System.Text.RegularExpressions;
using ReportingApi.Delivery;
using ReportingApi.Delivery.Sftp;
using ReportingApi.Partners;
using ReportingApi.Pgp;
using ReportingApi.Problems;
using ReportingApi.Reports;
using ReportingApi.Secrets;

namespace ReportingApi.PartnerAdmin;

/// <summary>A partner as operators create and update it.</summary>
/// <param name="ClientId">The partner's OAuth2 (Cognito app) client id; tokens of this client act as this partner.</param>
/// <param name="EmployerIds">The employers whose data the partner may see.</param>
/// <param name="IpAllowlist">CIDRs the partner may call from; empty allows any address.</param>
/// <param name="AllowedReports">Report ids the partner may use; empty allows all.</param>
/// <param name="AllowedFormats">Formats the partner may use; empty allows all.</param>
/// <param name="DeleteOutboxAfterDelivery">
/// Delete a file the partner's systems dropped in its S3 outbox (<c>partners/{id}/outbox/</c>) once it is delivered to
/// its SFTP server; false (the default) keeps it.
/// </param>
public sealed partial record PartnerRequest(
    string? Name,
    string? ClientId,
    bool? Active,
    IReadOnlyList<int>? EmployerIds,
    IReadOnlyList<string>? IpAllowlist,
    IReadOnlyList<string>? AllowedReports,
    IReadOnlyList<string>? AllowedFormats,
    bool? DeleteOutboxAfterDelivery = null)
{
    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(Name) || Name.Length > 200)
        {
            errors["name"] = ["'name' is required, at most 200 characters."];
        }

        if (ClientId is null || !ClientIdPattern().IsMatch(ClientId))
        {
            errors["clientId"] = ["'clientId' is required: 1 to 128 letters, digits, '-' or '_' (the Cognito app client id)."];
        }

        if (EmployerIds is { } employers && employers.Any(id => id <= 0))
        {
            errors["employerIds"] = ["Employer ids are positive whole numbers."];
        }

        var badNetworks = (IpAllowlist ?? []).Where(entry => !IPNetwork.TryParse(entry, out _)).ToList();
        if (badNetworks.Count > 0)
        {
            errors["ipAllowlist"] = [$"Not CIDR networks: {string.Join(", ", badNetworks)} (e.g. 203.0.113.0/24 or 2001:db8::/32)."];
        }

        var unknownReports = (AllowedReports ?? []).Where(id => ReportCatalog.Find(id) is null).ToList();
        if (unknownReports.Count > 0)
        {
            errors["allowedReports"] = [$"Unknown reports: {string.Join(", ", unknownReports)}. Reports: {string.Join(", ", ReportCatalog.All.Select(r => r.Id))}."];
        }

        var unknownFormats = (AllowedFormats ?? []).Where(name => !ReportFormats.TryParse(name, out _)).ToList();
        if (unknownFormats.Count > 0)
        {
            errors["allowedFormats"] = [$"Unknown formats: {string.Join(", ", unknownFormats)}. Formats: {string.Join(", ", ReportFormats.Names)}."];
        }

        return errors;
    }

    /// <summary>The settings to store, once <see cref="Validate"/> found nothing wrong.</summary>
    public PartnerSettings ToSettings() => new(
        Name!,
        ClientId!,
        Active ?? true,
        EmployerIds ?? [],
        IpAllowlist ?? [],
        AllowedReports ?? [],
        AllowedFormats ?? [],
        DeleteOutboxAfterDelivery ?? false);

    [GeneratedRegex("^[A-Za-z0-9_-]{1,128}$")]
    private static partial Regex ClientIdPattern();
}

/// <summary>The partner's ASCII-armored OpenPGP public key; files are encrypted to it.</summary>
/// <param name="ArmoredPublicKey">
/// The output of <c>gpg --armor --export KEYID</c>: Ed25519 with a Cv25519 subkey, NIST P-256/P-384/P-521 with an ECDH
/// subkey, or RSA of at least 2048 bits with an encryption subkey.
/// </param>
public sealed record PgpKeyRequest(string? ArmoredPublicKey);

/// <summary>Where the partner's files are delivered.</summary>
/// <param name="Kind">Folder (local/demo), Sftp (straight to the partner's SFTP server) or AwsConnector (Transfer Family connector).</param>
/// <param name="RemoteDirectory">Absolute directory on the partner's server, e.g. /inbound/reports.</param>
/// <param name="FolderPath">Folder kind: the local folder that stands for the partner's server.</param>
/// <param name="HostKey">
/// Sftp kind: the server's public host key as in known_hosts: "ssh-ed25519 AAAA..." (ssh-ed25519, ecdsa-sha2-nistp256/384/521
/// or ssh-rsa), or a whole line of ssh-keyscan's output. Required: it is pinned, never trusted on first use; a server
/// showing any other key is refused, and the run's reason names the SHA256 fingerprint it showed.
/// </param>
/// <param name="PrivateKeySecret">
/// Sftp kind: reference to the secret holding the login's private key (RSA, ECDSA or Ed25519; OpenSSH or PEM form),
/// never the key itself. With Secrets Manager the secret's ARN or name; with local files a path relative to the secrets
/// folder (Secrets:FolderPath). The secret is the key, or JSON with a "PrivateKey" field (and "Passphrase" if the key
/// has one), as an AWS Transfer Family connector's secret. Give this, passwordSecret or both.
/// </param>
/// <param name="PassphraseSecret">Sftp kind: reference to the secret holding the private key's passphrase (its first line), if it has one.</param>
/// <param name="PasswordSecret">
/// Sftp kind: reference to the secret holding the login's password (its first line, or a "Password" field of a JSON
/// secret), never the password itself.
/// </param>
/// <param name="ConnectorId">AwsConnector kind: the connector id, e.g. c-0123456789abcdef0.</param>
/// <param name="PrivateKeyPath">No longer accepted: a key file path exists on one machine only. Put the key in the secret source and give privateKeySecret.</param>
public sealed partial record DeliveryRequest(
    string? Kind,
    string? RemoteDirectory,
    string? FolderPath,
    string? Host,
    int? Port,
    string? User,
    string? HostKey,
    string? PrivateKeySecret,
    string? PassphraseSecret,
    string? PasswordSecret,
    string? ConnectorId,
    string? PrivateKeyPath = null)
{
    /// <param name="secretsProvider">The secret source in use: what a secret reference must look like.</param>
    public (DeliveryTarget? Target, Dictionary<string, string[]> Errors) Validate(SecretsProvider secretsProvider)
    {
        var errors = new Dictionary<string, string[]>();
        if (!EnumNames.TryParse<DeliveryKind>(Kind, out var kind))
        {
            errors["kind"] = [$"'kind' must be one of: {string.Join(", ", Enum.GetNames<DeliveryKind>())}."];
            return (null, errors);
        }

        var remote = RemoteDirectory ?? "/";
        if (!remote.StartsWith('/') || remote.Split('/').Contains("..") || remote.Any(char.IsControl))
        {
            errors["remoteDirectory"] = ["'remoteDirectory' must be an absolute path without '..', e.g. /inbound/reports."];
        }

        SshHostKey? hostKey = null;
        switch (kind)
        {
            case DeliveryKind.Folder when string.IsNullOrWhiteSpace(FolderPath):
                errors["folderPath"] = ["A Folder delivery needs 'folderPath'."];
                break;
            case DeliveryKind.Sftp:
                if (string.IsNullOrWhiteSpace(Host) || Uri.CheckHostName(Host) == UriHostNameType.Unknown)
                {
                    errors["host"] = ["An Sftp delivery needs 'host': a host name or IP address."];
                }

                if (Port is < 1 or > 65535)
                {
                    errors["port"] = ["'port' must be 1 to 65535."];
                }

                if (string.IsNullOrWhiteSpace(User) || !UserPattern().IsMatch(User))
                {
                    errors["user"] = ["An Sftp delivery needs 'user': letters, digits, '.', '-' or '_'."];
                }

                if (!SshHostKey.TryParse(HostKey, out hostKey))
                {
                    errors["hostKey"] = [$"An Sftp delivery needs the server's 'hostKey' as in known_hosts: \"ssh-ed25519 AAAA...\" (see ssh-keyscan; types: {string.Join(", ", SshHostKey.SupportedTypes)}). It is pinned: we never trust on first use."];
                }

                ValidateCredentials(secretsProvider, errors);
                break;
            case DeliveryKind.AwsConnector when ConnectorId is null || !ConnectorPattern().IsMatch(ConnectorId):
                errors["connectorId"] = ["An AwsConnector delivery needs 'connectorId' like c-0123456789abcdef0."];
                break;
        }

        return errors.Count > 0
            ? (null, errors)
            : (new DeliveryTarget(kind, remote, FolderPath, Host, Port ?? 22, User, hostKey?.ToString(), PrivateKeySecret, PassphraseSecret, PasswordSecret, ConnectorId), errors);
    }

    private void ValidateCredentials(SecretsProvider secretsProvider, Dictionary<string, string[]> errors)
    {
        if (PrivateKeyPath is not null)
        {
            errors["privateKeyPath"] = ["'privateKeyPath' is no longer accepted: a key file path exists on one machine only. Put the key in the secret source and give 'privateKeySecret'."];
        }

        if (PrivateKeySecret is null && PasswordSecret is null)
        {
            errors["privateKeySecret"] = ["An Sftp delivery logs in with 'privateKeySecret', 'passwordSecret' or both: references to secrets, never the key or password itself."];
        }

        if (PassphraseSecret is not null && PrivateKeySecret is null)
        {
            errors["passphraseSecret"] = ["'passphraseSecret' goes with 'privateKeySecret'."];
        }

        foreach (var (name, reference) in new[] { ("privateKeySecret", PrivateKeySecret), ("passphraseSecret", PassphraseSecret), ("passwordSecret", PasswordSecret) })
        {
            if (reference is not null && SecretReferences.Problem(reference, secretsProvider) is { } problem)
            {
                errors[name] = [$"'{name}' {problem}."];
            }
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex UserPattern();

    [GeneratedRegex("^c-[0-9a-f]{17}$")]
    private static partial Regex ConnectorPattern();
}

/// <summary>A partner with everything operators set.</summary>
/// <param name="DeleteOutboxAfterDelivery">Files dropped in the partner's S3 outbox are deleted once delivered.</param>
public sealed record PartnerResponse(
    int Id,
    string Name,
    string ClientId,
    bool Active,
    IReadOnlyList<int> EmployerIds,
    IReadOnlyList<string> IpAllowlist,
    IReadOnlyList<string> AllowedReports,
    IReadOnlyList<string> AllowedFormats,
    string? PgpKeyFingerprint,
    DeliveryTarget? Delivery,
    bool DeleteOutboxAfterDelivery)
{
    public static PartnerResponse From(PartnerAccount account)
    {
        var settings = account.Settings;
        return new(
            account.Id, settings.Name, settings.ClientId, settings.Active, settings.EmployerIds, settings.IpAllowlist, settings.AllowedReports,
            settings.AllowedFormats, account.PgpKeyFingerprint, account.Delivery, settings.DeleteDropFolderFilesAfterDelivery);
    }
}

/// <summary>The key that is stored, with the armored text a PUT takes back unchanged.</summary>
public sealed record PgpKeyResponse(
    string Fingerprint, string KeyId, string Algorithm, int Bits, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, IReadOnlyList<string> UserIds, string ArmoredPublicKey)
{
    public static PgpKeyResponse From(PartnerPgpKey key) =>
        new(key.Fingerprint, key.PrimaryKey.KeyId, key.PrimaryKey.Algorithm, key.PrimaryKey.Bits, key.PrimaryKey.CreatedAt, key.ExpiresAt, key.UserIds, key.ArmoredPublicKey);
}

/// <summary>What a delivery test found.</summary>
/// <param name="Ok">Every check passed: a delivery would get through.</param>
/// <param name="Checks">Each check in order, with the reason of the one that failed.</param>
public sealed record DeliveryTestResponse(bool Ok, DeliveryKind Kind, IReadOnlyList<DeliveryCheck> Checks);
