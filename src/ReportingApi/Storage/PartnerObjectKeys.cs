using System.Globalization;

namespace ReportingApi.Storage;

/// <summary>Where a partner's files live in the object store.</summary>
public static class PartnerObjectKeys
{
    private const string PartnersFolder = "partners";
    // The drop folder was called the outbox at first: partners' systems write to this prefix, so it stays.
    private const string DropFolderName = "outbox";
    private const string InboundFolder = "inbound";
    private const string OutboundFolder = "outbound";
    private const string InboundArchiveFolder = "inbound-archive";
    private const string RawFolder = "raw";
    private const string QuarantineFolder = "quarantine";

    /// <summary>
    /// <c>partners/{partnerId}/outbound/{yyyy}/{MM}/{fileName}</c>; year and month are those of <paramref name="at"/> in UTC,
    /// so the same instant lands in the same folder whatever offset it carries.
    /// </summary>
    public static string Outbound(int partnerId, DateTimeOffset at, string fileName)
    {
        ValidateFileName(fileName);
        return OutboundMonthFolder(partnerId, at) + fileName;
    }

    /// <summary>
    /// <c>partners/{partnerId}/outbound/{yyyy}/{MM}/{runId}/{fileName}</c>: a run's file whose name is not its own (a file
    /// dropped in the drop folder keeps the partner's name), so the run's folder keeps two drops of one name apart.
    /// </summary>
    public static string Outbound(int partnerId, DateTimeOffset at, string runId, string fileName)
    {
        ValidateFileName(runId);
        ValidateFileName(fileName);
        return $"{OutboundMonthFolder(partnerId, at)}{runId}{ObjectKeys.Separator}{fileName}";
    }

    /// <summary>The prefix of every file delivered to the partner: <c>partners/{partnerId}/outbound/</c>.</summary>
    public static string OutboundPrefix(int partnerId) => $"{PartnerPrefix(partnerId)}{OutboundFolder}/";

    /// <summary>The prefix of the files the partner uploads (its SFTP <c>/inbound</c>): <c>partners/{partnerId}/inbound/</c>.</summary>
    public static string InboundPrefix(int partnerId) => $"{PartnerPrefix(partnerId)}{InboundFolder}/";

    /// <summary>The prefix of the partner's drop folder: <c>partners/{partnerId}/outbox/</c>.</summary>
    public static string DropFolder(int partnerId) => $"{PartnerPrefix(partnerId)}{DropFolderName}/";

    /// <summary>
    /// Reads <c>partners/{partnerId}/outbox/{fileName}</c> (a file directly in the drop folder; nested folders do not match).
    /// The partner id must be written as <see cref="DropFolder"/> writes it: no sign, no leading zeros.
    /// </summary>
    public static bool TryParseDropFolderFile(string key, out int partnerId, out string fileName)
    {
        partnerId = 0;
        fileName = "";
        var segments = key.Split(ObjectKeys.Separator);
        if (segments is not [PartnersFolder, var id, DropFolderName, var name] || !ObjectKeys.IsValid(key)
            || !int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed <= 0
            || !key.StartsWith(DropFolder(parsed), StringComparison.Ordinal))
        {
            return false;
        }

        partnerId = parsed;
        fileName = name;
        return true;
    }

    /// <summary>
    /// Reads <c>partners/{partnerId}/inbound/{fileName}</c> (a file directly in the partner's SFTP <c>/inbound</c>; nested
    /// folders do not match), with the partner id written as <see cref="InboundPrefix"/> writes it.
    /// </summary>
    public static bool TryParseInboundFile(string key, out int partnerId, out string fileName)
    {
        partnerId = 0;
        fileName = "";
        var segments = key.Split(ObjectKeys.Separator);
        if (segments is not [PartnersFolder, var id, InboundFolder, var name] || name.Length == 0 || !ObjectKeys.IsValid(key)
            || !int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed <= 0
            || !key.StartsWith(InboundPrefix(parsed), StringComparison.Ordinal))
        {
            return false;
        }

        partnerId = parsed;
        fileName = name;
        return true;
    }

    /// <summary>The untouched copy of an upload: <c>partners/{partnerId}/inbound-archive/{yyyy}/{MM}/{fileId}/{fileName}</c>.</summary>
    public static string InboundArchive(int partnerId, DateTimeOffset receivedAt, string fileId, string fileName) =>
        InboundFileKey(partnerId, InboundArchiveFolder, receivedAt, fileId, fileName);

    /// <summary>The clear (decrypted, verified) file: <c>partners/{partnerId}/raw/{yyyy}/{MM}/{fileId}/{fileName}</c>.</summary>
    public static string Raw(int partnerId, DateTimeOffset receivedAt, string fileId, string fileName) =>
        InboundFileKey(partnerId, RawFolder, receivedAt, fileId, fileName);

    /// <summary>A rejected upload: <c>partners/{partnerId}/quarantine/{yyyy}/{MM}/{fileId}/{fileName}</c>.</summary>
    public static string Quarantine(int partnerId, DateTimeOffset receivedAt, string fileId, string fileName) =>
        InboundFileKey(partnerId, QuarantineFolder, receivedAt, fileId, fileName);

    private static string InboundFileKey(int partnerId, string folder, DateTimeOffset at, string fileId, string fileName)
    {
        ValidateFileName(fileId);
        ValidateFileName(fileName);
        var utc = at.UtcDateTime;
        return string.Create(CultureInfo.InvariantCulture, $"{PartnerPrefix(partnerId)}{folder}/{utc:yyyy}/{utc:MM}/{fileId}/{fileName}");
    }

    private static string OutboundMonthFolder(int partnerId, DateTimeOffset at)
    {
        var utc = at.UtcDateTime;
        return string.Create(CultureInfo.InvariantCulture, $"{OutboundPrefix(partnerId)}{utc:yyyy}/{utc:MM}/");
    }

    private static string PartnerPrefix(int partnerId)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(partnerId);
        return string.Create(CultureInfo.InvariantCulture, $"{PartnersFolder}/{partnerId}/");
    }

    private static void ValidateFileName(string fileName)
    {
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        if (fileName.Contains(ObjectKeys.Separator, StringComparison.Ordinal) || !ObjectKeys.IsValid(fileName))
        {
            throw new ArgumentException($"'{fileName}' is not a plain file name.", nameof(fileName));
        }
    }
}
