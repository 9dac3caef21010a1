namespace ReportingApi.Reports;

/// <summary>How a column's values are typed in every format: text, whole number, money, date, or timestamp.</summary>
public enum ColumnType
{
    Text,
    Integer,
    Decimal,
    Date,
    DateTime,
}

/// <param name="Name">Machine name: the JSON property and the CSV header (camelCase).</param>
/// <param name="Title">Human title: the XLSX header.</param>
/// <param name="Width">Column width in XLSX, in characters.</param>
public sealed record ReportColumn(string Name, string Title, ColumnType Type, string Description, int Width = 14);

/// <summary>An optional equality filter a caller may add, such as <c>status=active</c>.</summary>
/// <param name="AllowedValues">The values accepted, or empty for any whole number (ids).</param>
public sealed record ReportFilter(string Name, string Description, string SqlColumn, IReadOnlyList<string> AllowedValues)
{
    public bool IsNumeric => AllowedValues.Count == 0;
}

/// <summary>
/// One report: its columns and the SQL that produces them. <see cref="Sql"/> selects the columns in order and
/// must contain the partner scope (<c>@partnerId</c>) and the period (<c>@from</c>, <c>@to</c>); filters are
/// appended as <c>AND column = @filter</c>, then <see cref="OrderBy"/>.
/// </summary>
/// <param name="OrderBy">
/// The rows' order, first key <c>pe.employer_id</c>: the partner's employers as their primary key reads them, then keys
/// that the plan reads in index order. SQLite is given all of it. MySQL/MariaDB are given the first key only: they sort
/// whenever ORDER BY names a column of any table but the first, and the plan that <see cref="Sql"/> fixes returns the
/// later keys in order already (the MariaDB tests compare every report row by row with a query ordered by all keys,
/// and check the plan).
/// </param>
public sealed record ReportDefinition(
    string Id,
    string Title,
    string Description,
    string PeriodDescription,
    IReadOnlyList<ReportColumn> Columns,
    IReadOnlyList<ReportFilter> Filters,
    string Sql,
    string OrderBy);
