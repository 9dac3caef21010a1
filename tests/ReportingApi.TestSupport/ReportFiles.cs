using System.Globalization;
using System.Text.Json;
using CsvHelper;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using ReportingApi.Reports;

namespace ReportingApi.TestSupport;

/// <summary>
/// Reads report files back with readers of their own (CsvHelper's reader, OpenXML's <see cref="SpreadsheetDocument"/>,
/// System.Text.Json) into rows of canonical strings (<see cref="Canonical"/>), so that a CSV, an XLSX and a JSON file
/// of the same report compare equal to each other and to the database. Reading is strict: a value of the wrong kind
/// (a date written as text, a number as a JSON string, a date cell without a date format, a row with a field too
/// many) throws <see cref="InvalidDataException"/> naming the row and column.
/// </summary>
public static class ReportFiles
{
    private const string IsoDate = "yyyy-MM-dd";
    private const string IsoDateTime = "yyyy-MM-dd'T'HH:mm:ss";
    // Two decimals at least (money), more where a value has them, so that no extra digit is rounded away unseen.
    private const string DecimalFormat = "0.00############################";
    // Whole seconds as the files write them; a fraction only where the value has one (F drops zeros and the point).
    private const string DateTimeFormat = "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF";
    // Excel limits sheet names to 31 characters.
    private const int MaxSheetNameLength = 31;

    /// <summary>
    /// A report file read back. <see cref="Header"/> is the file's own (XLSX: the titles); each row has the report's
    /// columns in the report's order.
    /// </summary>
    public sealed record Parsed(ReportDefinition Report, IReadOnlyList<string> Header, IReadOnlyList<string?[]> Rows)
    {
        /// <summary>The values of the report column <paramref name="name"/>, one per row.</summary>
        public IEnumerable<string?> Column(string name)
        {
            var index = Report.Columns.ToList().FindIndex(column => column.Name == name);
            if (index < 0)
            {
                throw new KeyNotFoundException($"Report {Report.Id} has no column '{name}'.");
            }

            return Rows.Select(row => row[index]);
        }
    }

    /// <summary>Reads a file held in memory (the small ones of the fast tests).</summary>
    public static Parsed Parse(ReportFormat format, byte[] file, ReportDefinition report)
    {
        using var content = new MemoryStream(file, writable: false);
        return Parse(format, content, report);
    }

    /// <summary>Reads a downloaded file; it goes to a temporary file first (a package must be seekable), never into memory.</summary>
    public static async Task<Parsed> ReadAsync(ReportFormat format, Stream content, ReportDefinition report)
    {
        var path = Path.Combine(Path.GetTempPath(), $"reportingapi-test-{Guid.NewGuid():N}.{ReportFormats.Extension(format)}");
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
        await content.CopyToAsync(file);
        file.Position = 0;
        return Parse(format, file, report);
    }

    /// <summary>The canonical text of a value read from the database or a file: invariant integers, money with two or more decimals, ISO dates.</summary>
    public static string? Canonical(ColumnType type, object? value) => value switch
    {
        null or DBNull => null,
        _ => type switch
        {
            ColumnType.Integer => Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture),
            ColumnType.Decimal => Convert.ToDecimal(value, CultureInfo.InvariantCulture).ToString(DecimalFormat, CultureInfo.InvariantCulture),
            ColumnType.Date => DateOnly.FromDateTime(ToDateTime(value)).ToString(IsoDate, CultureInfo.InvariantCulture),
            ColumnType.DateTime => ToDateTime(value).ToString(DateTimeFormat, CultureInfo.InvariantCulture),
            _ => Convert.ToString(value, CultureInfo.InvariantCulture),
        },
    };

    /// <summary>The text of a cell as stored: an inline string's text, else the cell value.</summary>
    public static string? CellText(Cell cell) =>
        cell.DataType?.Value == CellValues.InlineString ? cell.InlineString?.InnerText : cell.CellValue?.Text;

    private static Parsed Parse(ReportFormat format, Stream content, ReportDefinition report) => format switch
    {
        ReportFormat.Csv => ParseCsv(content, report),
        ReportFormat.Xlsx => ParseXlsx(content, report),
        ReportFormat.Json => ParseJson(content, report),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    private static DateTime ToDateTime(object value) => value switch
    {
        DateTime dateTime => dateTime,
        DateOnly date => date.ToDateTime(TimeOnly.MinValue),
        // SQLite keeps dates as text.
        string text => DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
        _ => throw new FormatException($"Not a date: {value}"),
    };

    private static Parsed ParseCsv(Stream content, ReportDefinition report)
    {
        using var csv = CsvReader.Create(content, CsvReaderOptions.Default, leaveOpen: true);
        var header = csv.Headers.ToList();
        var rows = new List<string?[]>();
        while (csv.Read())
        {
            var rowNumber = rows.Count + 1;
            if (csv.FieldCount != report.Columns.Count)
            {
                throw new InvalidDataException($"CSV row {rowNumber} has {csv.FieldCount} fields; report {report.Id} has {report.Columns.Count} columns.");
            }

            var row = new string?[report.Columns.Count];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = csv.IsEmpty(i) ? null : CanonicalText(csv.GetString(i), report.Columns[i], rowNumber);
            }

            rows.Add(row);
        }

        return new Parsed(report, header, rows);
    }

    /// <summary>Text as CSV and JSON write it, in exactly the column type's format.</summary>
    private static string CanonicalText(string text, ReportColumn column, int rowNumber)
    {
        try
        {
            return column.Type switch
            {
                ColumnType.Integer => Canonical(column.Type, long.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture))!,
                ColumnType.Decimal => Canonical(column.Type, decimal.Parse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture))!,
                ColumnType.Date => Canonical(column.Type, DateOnly.ParseExact(text, IsoDate, CultureInfo.InvariantCulture))!,
                ColumnType.DateTime => Canonical(column.Type, DateTime.ParseExact(text, IsoDateTime, CultureInfo.InvariantCulture))!,
                _ => text,
            };
        }
        catch (Exception exception) when (exception is FormatException or OverflowException)
        {
            throw new InvalidDataException($"Row {rowNumber}, column {column.Name}: '{text}' is not a {column.Type} as the reports write it.", exception);
        }
    }

    private static Parsed ParseXlsx(Stream content, ReportDefinition report)
    {
        using var document = SpreadsheetDocument.Open(content, isEditable: false);
        var workbook = document.WorkbookPart ?? throw new InvalidDataException("The package has no workbook.");
        var sheets = workbook.Workbook.Sheets?.Elements<Sheet>().ToList() ?? [];
        if (sheets.Count != 1)
        {
            throw new InvalidDataException($"The workbook has {sheets.Count} sheets, not one.");
        }

        var sheetName = report.Title.Length > MaxSheetNameLength ? report.Title[..MaxSheetNameLength] : report.Title;
        if (sheets[0].Name?.Value != sheetName)
        {
            throw new InvalidDataException($"The sheet is named '{sheets[0].Name?.Value}', not '{sheetName}'.");
        }

        var worksheet = (WorksheetPart)workbook.GetPartById(sheets[0].Id?.Value ?? throw new InvalidDataException("The sheet has no part id."));
        var dateStyles = DateStyleIndexes(workbook);
        var sheetRows = worksheet.Worksheet.GetFirstChild<SheetData>()?.Elements<Row>().ToList() ?? [];
        if (sheetRows.Count == 0)
        {
            throw new InvalidDataException("The sheet has no header row.");
        }

        var header = CellsByColumn(sheetRows[0], report, 0).Select(cell => cell is null ? "" : InlineText(cell, 0, "header")).ToList();
        var rows = sheetRows.Skip(1).Select((sheetRow, index) =>
        {
            var rowNumber = index + 1;
            return CellsByColumn(sheetRow, report, rowNumber)
                .Select((cell, i) => cell is null ? null : ReadCell(cell, report.Columns[i], dateStyles, rowNumber))
                .ToArray();
        }).ToList();
        return new Parsed(report, header, rows);
    }

    /// <summary>The cells of a row by column: by their reference (B7) where they have one, else by position.</summary>
    private static Cell?[] CellsByColumn(Row row, ReportDefinition report, int rowNumber)
    {
        var cells = new Cell?[report.Columns.Count];
        var position = 0;
        foreach (var cell in row.Elements<Cell>())
        {
            var index = cell.CellReference?.Value is { } reference ? ColumnNumber(reference) - 1 : position;
            if (index < 0 || index >= cells.Length)
            {
                throw new InvalidDataException($"Row {rowNumber} has a cell in column {index + 1}; report {report.Id} has {cells.Length} columns.");
            }

            cells[index] = cell;
            position = index + 1;
        }

        return cells;
    }

    private static int ColumnNumber(string reference) =>
        reference.TakeWhile(char.IsAsciiLetterUpper).Aggregate(0, (number, letter) => number * 26 + letter - 'A' + 1);

    private static string? ReadCell(Cell cell, ReportColumn column, HashSet<uint> dateStyles, int rowNumber)
    {
        if (cell.CellValue is null && cell.InlineString is null && cell.DataType is null)
        {
            // An empty cell: the renderer writes one for NULL, to keep the columns aligned for readers that ignore references.
            return null;
        }

        if (column.Type == ColumnType.Text)
        {
            return InlineText(cell, rowNumber, column.Name);
        }

        if (cell.DataType is not null && cell.DataType.Value != CellValues.Number)
        {
            throw new InvalidDataException($"Row {rowNumber}, column {column.Name}: a {column.Type} must be a number cell, not {cell.DataType.Value}.");
        }

        var number = cell.CellValue?.Text ?? throw new InvalidDataException($"Row {rowNumber}, column {column.Name}: number cell without a value.");
        try
        {
            switch (column.Type)
            {
                case ColumnType.Integer:
                    return Canonical(column.Type, long.Parse(number, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture));
                case ColumnType.Decimal:
                    return Canonical(column.Type, decimal.Parse(number, NumberStyles.Float, CultureInfo.InvariantCulture));
                default:
                    if (!dateStyles.Contains(cell.StyleIndex?.Value ?? 0))
                    {
                        throw new InvalidDataException($"Row {rowNumber}, column {column.Name}: a date cell must have a date number format.");
                    }

                    var moment = DateTime.FromOADate(double.Parse(number, NumberStyles.Float, CultureInfo.InvariantCulture));
                    // Serial dates are days as doubles; round away the sub-millisecond noise to whole seconds.
                    var seconds = new DateTime((moment.Ticks + TimeSpan.TicksPerSecond / 2) / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond);
                    return Canonical(column.Type, seconds);
            }
        }
        catch (Exception exception) when (exception is FormatException or OverflowException or ArgumentException)
        {
            throw new InvalidDataException($"Row {rowNumber}, column {column.Name}: '{number}' is not a {column.Type}.", exception);
        }
    }

    private static string InlineText(Cell cell, int rowNumber, string columnName)
    {
        if (cell.DataType?.Value != CellValues.InlineString || cell.InlineString is null)
        {
            throw new InvalidDataException($"Row {rowNumber}, column {columnName}: text cells must be inline strings.");
        }

        return cell.InlineString.Text?.Text ?? string.Concat(cell.InlineString.Elements<Run>().Select(run => run.Text?.Text));
    }

    /// <summary>Indexes into cellXfs whose number format shows a date: built-in 14-22 or a custom code with y and d.</summary>
    private static HashSet<uint> DateStyleIndexes(WorkbookPart workbook)
    {
        var styles = workbook.WorkbookStylesPart?.Stylesheet ?? throw new InvalidDataException("The package has no styles.");
        var customDateFormats = styles.NumberingFormats?.Elements<NumberingFormat>()
            .Where(format => format.FormatCode?.Value is { } code && code.Contains('y', StringComparison.OrdinalIgnoreCase) && code.Contains('d', StringComparison.OrdinalIgnoreCase))
            .Select(format => format.NumberFormatId!.Value)
            .ToHashSet() ?? [];
        return (styles.CellFormats?.Elements<CellFormat>() ?? [])
            .Select((format, index) => (Id: format.NumberFormatId?.Value ?? 0, Index: (uint)index))
            .Where(format => format.Id is >= 14 and <= 22 || customDateFormats.Contains(format.Id))
            .Select(format => format.Index)
            .ToHashSet();
    }

    private static Parsed ParseJson(Stream content, ReportDefinition report)
    {
        using var document = JsonDocument.Parse(content);
        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException($"The JSON is a {document.RootElement.ValueKind}, not an array.");
        }

        var names = report.Columns.Select(column => column.Name).ToList();
        var rows = new List<string?[]>();
        foreach (var item in document.RootElement.EnumerateArray())
        {
            var rowNumber = rows.Count + 1;
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"Row {rowNumber} is a JSON {item.ValueKind}, not an object.");
            }

            var properties = item.EnumerateObject().ToList();
            if (!properties.Select(property => property.Name).SequenceEqual(names, StringComparer.Ordinal))
            {
                throw new InvalidDataException($"Row {rowNumber} has the properties [{string.Join(", ", properties.Select(p => p.Name))}], not the columns [{string.Join(", ", names)}] in order.");
            }

            rows.Add(properties.Select((property, i) => ReadJsonValue(property.Value, report.Columns[i], rowNumber)).ToArray());
        }

        // Each row's property names have been checked against the columns; an empty array has none to check.
        return new Parsed(report, names, rows);
    }

    private static string? ReadJsonValue(JsonElement value, ReportColumn column, int rowNumber)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var expectedKind = column.Type is ColumnType.Integer or ColumnType.Decimal ? JsonValueKind.Number : JsonValueKind.String;
        if (value.ValueKind != expectedKind)
        {
            throw new InvalidDataException($"Row {rowNumber}, column {column.Name}: expected a JSON {expectedKind}, got {value.ValueKind}.");
        }

        try
        {
            return column.Type switch
            {
                ColumnType.Integer => Canonical(column.Type, value.GetInt64()),
                ColumnType.Decimal => Canonical(column.Type, value.GetDecimal()),
                _ => CanonicalText(value.GetString()!, column, rowNumber),
            };
        }
        catch (FormatException exception)
        {
            throw new InvalidDataException($"Row {rowNumber}, column {column.Name}: {value.GetRawText()} is not a {column.Type}.", exception);
        }
    }
}
