using System.Globalization;
using System.Text.Json;
using CsvHelper;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using ReportingApi.Reports;

namespace ReportingApi.TestSupport;

/// <summary>
/// Reads report files back into rows of canonical strings (money "0.00", ISO dates, invariant integers), so
/// that a CSV, an XLSX and a JSON file of the same report compare equal to each other and to the database.
/// </summary>
public static class ReportFiles
{
    public sealed record Parsed(IReadOnlyList<string> Header, IReadOnlyList<string?[]> Rows);

    public static Parsed Parse(string format, byte[] file, ReportDefinition report) => format switch
    {
        "csv" => ParseCsv(file, report),
        "xlsx" => ParseXlsx(file, report),
        "json" => ParseJson(file, report),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    public static string? Canonical(ColumnType type, object? value) => value switch
    {
        null or DBNull => null,
        _ => type switch
        {
            ColumnType.Integer => Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture),
            ColumnType.Decimal => Convert.ToDecimal(value, CultureInfo.InvariantCulture).ToString("0.00", CultureInfo.InvariantCulture),
            ColumnType.Date => DateOnly.FromDateTime(ToDateTime(value)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ColumnType.DateTime => ToDateTime(value).ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture),
            _ => Convert.ToString(value, CultureInfo.InvariantCulture),
        },
    };

    private static DateTime ToDateTime(object value) => value switch
    {
        DateTime dateTime => dateTime,
        DateOnly date => date.ToDateTime(TimeOnly.MinValue),
        string text => DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
        double oaDate => DateTime.FromOADate(oaDate),
        _ => throw new FormatException($"Not a date: {value}"),
    };

    private static Parsed ParseCsv(byte[] file, ReportDefinition report)
    {
        using var csv = CsvReader.Create(file);
        var rows = new List<string?[]>();
        while (csv.Read())
        {
            var row = new string?[csv.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                var text = csv.GetString(i);
                row[i] = text.Length == 0 ? null : Canonical(report.Columns[i].Type, text);
            }

            rows.Add(row);
        }

        return new Parsed(csv.Headers.ToList(), rows);
    }

    private static Parsed ParseJson(byte[] file, ReportDefinition report)
    {
        using var document = JsonDocument.Parse(file);
        var rows = new List<string?[]>();
        foreach (var element in document.RootElement.EnumerateArray())
        {
            rows.Add(report.Columns.Select(column =>
            {
                var value = element.GetProperty(column.Name);
                return value.ValueKind switch
                {
                    JsonValueKind.Null => null,
                    JsonValueKind.Number => Canonical(column.Type, value.GetDecimal()),
                    _ => Canonical(column.Type, value.GetString()),
                };
            }).ToArray());
        }

        var header = document.RootElement.GetArrayLength() > 0
            ? document.RootElement[0].EnumerateObject().Select(property => property.Name).ToList()
            : report.Columns.Select(column => column.Name).ToList();
        return new Parsed(header, rows);
    }

    private static Parsed ParseXlsx(byte[] file, ReportDefinition report)
    {
        using var stream = new MemoryStream(file);
        using var document = SpreadsheetDocument.Open(stream, false);
        var sheet = document.WorkbookPart!.WorksheetParts.Single().Worksheet;
        var sheetRows = sheet.GetFirstChild<SheetData>()!.Elements<Row>().ToList();
        var header = sheetRows[0].Elements<Cell>().Select(CellText).ToList();
        var rows = sheetRows.Skip(1).Select(row =>
        {
            var values = new string?[report.Columns.Count];
            var index = 0;
            foreach (var cell in row.Elements<Cell>())
            {
                // Cells of NULL values are omitted; a cell reference, when present, says which column this is.
                index = cell.CellReference?.Value is { } reference ? ColumnIndex(reference) : index;
                var type = report.Columns[index].Type;
                var text = CellText(cell);
                values[index] = text is null ? null
                    : type is ColumnType.Date or ColumnType.DateTime ? Canonical(type, double.Parse(text, CultureInfo.InvariantCulture))
                    : Canonical(type, text);
                index++;
            }

            return values;
        }).ToList();
        return new Parsed(header!, rows);
    }

    public static string? CellText(Cell cell) =>
        cell.DataType?.Value == CellValues.InlineString ? cell.InlineString?.InnerText : cell.CellValue?.Text;

    private static int ColumnIndex(string reference)
    {
        var index = 0;
        foreach (var c in reference.TakeWhile(char.IsLetter))
        {
            index = index * 26 + (c - 'A' + 1);
        }

        return index - 1;
    }
}
