using System.Data.Common;

namespace ReportingApi.Reports.Rendering;

/// <summary>Reads typed values the same way from MySQL (native types) and SQLite (ISO text dates, REAL numbers).</summary>
internal static class ColumnValues
{
    public static DateOnly GetDate(DbDataReader reader, int ordinal) => DateOnly.FromDateTime(reader.GetDateTime(ordinal));

    public static DateTime GetDateTime(DbDataReader reader, int ordinal) => reader.GetDateTime(ordinal);

    public static decimal GetDecimal(DbDataReader reader, int ordinal) => reader.GetDecimal(ordinal);

    public static long GetInteger(DbDataReader reader, int ordinal) => reader.GetInt64(ordinal);

    public static string GetText(DbDataReader reader, int ordinal) => reader.GetString(ordinal);

    // Standard formats, not custom patterns: the same text ("2026-01-31", "2026-01-31T13:14:15", "1234.50" in the
    // invariant culture), formatted on .NET's fast paths ("O" of a DateOnly is yyyy-MM-dd).
    public const string DateFormat = "O";
    public const string DateTimeFormat = "s";
    public const string DecimalFormat = "F2";
}
