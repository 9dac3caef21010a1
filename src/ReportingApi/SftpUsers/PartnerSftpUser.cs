using System.Globalization;
using ReportingApi.Storage;

namespace ReportingApi.SftpUsers;

/// <summary>What a partner's SFTP login may do in a directory of its home.</summary>
public enum SftpAccess
{
    ReadWrite,
    ReadOnly,
}

/// <summary>One directory a partner sees when it logs in: <paramref name="Entry"/> (e.g. <c>/inbound</c>) is the object store's <paramref name="ObjectPrefix"/>.</summary>
public sealed record SftpHomeDirectory(string Entry, string ObjectPrefix, SftpAccess Access);

/// <summary>
/// A partner's SFTP user as it is to be: its name (derived from the partner id, so no request can name another partner's
/// user), its home (<c>/inbound</c> to upload into <c>partners/{id}/inbound/</c>, <c>/reports</c> to read the files
/// delivered to it under <c>partners/{id}/outbound/</c>, nothing else) and the keys it logs in with.
/// </summary>
public sealed class PartnerSftpUser
{
    public const string InboundEntry = "/inbound";
    public const string ReportsEntry = "/reports";

    public PartnerSftpUser(int partnerId, IReadOnlyList<SshPublicKey> keys)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(partnerId);
        ArgumentNullException.ThrowIfNull(keys);
        PartnerId = partnerId;
        Keys = keys;
    }

    public int PartnerId { get; }

    public IReadOnlyList<SshPublicKey> Keys { get; }

    public string UserName => UserNameOf(PartnerId);

    public IReadOnlyList<SftpHomeDirectory> Home =>
    [
        new(InboundEntry, PartnerObjectKeys.InboundPrefix(PartnerId), SftpAccess.ReadWrite),
        new(ReportsEntry, PartnerObjectKeys.OutboundPrefix(PartnerId), SftpAccess.ReadOnly),
    ];

    /// <summary>The login name of a partner's user: <c>partner-{id}</c>.</summary>
    public static string UserNameOf(int partnerId) => string.Create(CultureInfo.InvariantCulture, $"partner-{partnerId}");
}

/// <summary>
/// What <see cref="IPartnerSftpUsers.PutAsync"/> changed. Keys are named by fingerprint (a key on the server that is not a
/// readable SSH key, by its id there).
/// </summary>
public sealed record SftpUserChange(
    string UserName,
    bool Created,
    bool HomeUpdated,
    IReadOnlyList<string> KeysAdded,
    IReadOnlyList<string> KeysRemoved,
    IReadOnlyList<string> KeysKept)
{
    public bool Changed => Created || HomeUpdated || KeysAdded.Count > 0 || KeysRemoved.Count > 0;
}

/// <summary>The SFTP server partners log in to: AWS Transfer Family on AWS, a local OpenSSH sshd elsewhere.</summary>
public interface IPartnerSftpUsers
{
    /// <summary>
    /// Makes the partner's user exist as <paramref name="user"/> says: created if missing, its home set, then its keys
    /// reconciled (the new ones added before the old ones are removed, so a rotation never leaves it without a key). Doing
    /// it twice changes nothing the second time, and a put that failed half-way is completed by the next.
    /// </summary>
    Task<SftpUserChange> PutAsync(PartnerSftpUser user, CancellationToken cancellationToken);

    /// <summary>The partner's user as the server has it, or null when it has none.</summary>
    Task<SftpUserState?> GetAsync(int partnerId, CancellationToken cancellationToken);
}

/// <summary>A key of a user as the server has it: a readable SSH key by type, size and fingerprint; another by its id there.</summary>
public sealed record SftpUserKey(string Fingerprint, string? Type, int? Bits, string? Comment)
{
    public static SftpUserKey Of(SshPublicKey key) => new(key.Fingerprint, key.Type, key.Bits, key.Comment);
}

/// <summary>A partner's SFTP user as the server has it: name, home and keys (never the key material itself).</summary>
public sealed record SftpUserState(string UserName, IReadOnlyList<SftpHomeDirectory> Home, IReadOnlyList<SftpUserKey> Keys);
