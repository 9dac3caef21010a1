using ReportingApi.Reports;

namespace ReportingApi.IntegrationTests.Reports;

/// <summary>
/// A report's rows as typed values, from a downloaded file or from the database: <see cref="string"/>,
/// <see cref="long"/>, <see cref="decimal"/>, <see cref="DateOnly"/>, <see cref="DateTime"/> or null, by column type.
/// </summary>
/// <param name="Header">The column names (or, for XLSX, the titles) in file order.</param>
public sealed record ReportTable(IReadOnlyList<string> Header, IReadOnlyList<object?[]> Rows)
{
    public int ColumnIndex(string name)
    {
        var index = Header.ToList().IndexOf(name);
        return index >= 0 ? index : throw new KeyNotFoundException($"No column '{name}' in [{string.Join(", ", Header)}].");
    }

    public IEnumerable<object?> Column(string name)
    {
        var index = ColumnIndex(name);
        return Rows.Select(row => row[index]);
    }

    /// <summary>Converts a value read from MySQL into the type <see cref="ReportTable"/> uses for <paramref name="type"/>.</summary>
    public static object? Normalize(object? value, ColumnType type) => value is null or DBNull
        ? null
        : type switch
        {
            ColumnType.Integer => Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture),
            ColumnType.Decimal => Convert.ToDecimal(value, System.Globalization.CultureInfo.InvariantCulture),
            ColumnType.Date => DateOnly.FromDateTime((DateTime)value),
            ColumnType.DateTime => (DateTime)value,
            _ => (string)value,
        };
}
