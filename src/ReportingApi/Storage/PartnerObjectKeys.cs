using System.Globalization;

namespace ReportingApi.Storage;

/// <summary>Where a partner's files live in the object store.</summary>
public static class PartnerObjectKeys
{
    /// <summary>
    /// <c>partners/{partnerId}/outbound/{yyyy}/{MM}/{fileName}</c>; year and month are those of <paramref name="at"/> in UTC,
    /// so the same instant lands in the same folder whatever offset it carries.
    /// </summary>
    public static string Outbound(int partnerId, DateTimeOffset at, string fileName)
    {
        ValidateFileName(fileName);
        var utc = at.UtcDateTime;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{PartnerPrefix(partnerId)}outbound/{utc:yyyy}/{utc:MM}/{fileName}");
    }

    /// <summary>The prefix of the partner's outbox: <c>partners/{partnerId}/outbox/</c>.</summary>
    public static string Outbox(int partnerId) => $"{PartnerPrefix(partnerId)}outbox/";

    private static string PartnerPrefix(int partnerId)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(partnerId);
        return string.Create(CultureInfo.InvariantCulture, $"partners/{partnerId}/");
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
