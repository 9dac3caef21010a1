using System.Globalization;
using System.Text.Json;
using CsvHelper;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using ReportingApi.Rendering;
using ReportingApi.Reports;

namespace ReportingApi.IntegrationTests.Reports;

/// <summary>
/// Reads a downloaded report back into a <see cref="ReportTable"/> with independent readers: CsvHelper's reader,
/// OpenXML's <see cref="SpreadsheetDocument"/>, System.Text.Json. Values are typed by the report's column types,
/// and a value of the wrong kind (a date written as text, a number written as a string) fails the read.
/// </summary>
public static class ReportFileReader
{
    private const string IsoDate = "yyyy-MM-dd";
    private const string IsoDateTime = "yyyy-MM-dd'T'HH:mm:ss";

    public static async Task<ReportTable> ReadAsync(ReportFormat format, Stream content, ReportDefinition report) => format switch
    {
        ReportFormat.Csv => await ReadCsvAsync(content, report),
        ReportFormat.Xlsx => await ReadXlsxAsync(content, report),
        _ => await ReadJsonAsync(content, report),
    };

    private static async Task<ReportTable> ReadCsvAsync(Stream content, ReportDefinition report)
    {
        await using var csv = CsvReader.Create(content, CsvReaderOptions.Default, leaveOpen: true);
        await csv.ReadHeaderAsync();
        var header = csv.Headers.ToList();
        var rows = new List<object?[]>();
        while (await csv.ReadAsync())
        {
            Assert.Equal(report.Columns.Count, csv.FieldCount);
            var row = new object?[report.Columns.Count];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = csv.IsEmpty(i) ? null : ParseText(csv.GetString(i), report.Columns[i].Type);
            }

            rows.Add(row);
        }

        return new ReportTable(header, rows);
    }

    private static object ParseText(string text, ColumnType type) => type switch
    {
        ColumnType.Integer => long.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
        ColumnType.Decimal => decimal.Parse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture),
        ColumnType.Date => DateOnly.ParseExact(text, IsoDate, CultureInfo.InvariantCulture),
        ColumnType.DateTime => DateTime.ParseExact(text, IsoDateTime, CultureInfo.InvariantCulture),
        _ => text,
    };

    private static async Task<ReportTable> ReadXlsxAsync(Stream content, ReportDefinition report)
    {
        // A package is read from a seekable stream: keep the download in a temporary file, not in memory.
        var path = Path.Combine(Path.GetTempPath(), $"reportingapi-test-{Guid.NewGuid():N}.xlsx");
        try
        {
            await using (var file = File.Create(path))
            {
                await content.CopyToAsync(file);
            }

            using var document = SpreadsheetDocument.Open(path, isEditable: false);
            var workbook = document.WorkbookPart ?? throw new InvalidDataException("The package has no workbook.");
            var sheet = Assert.Single(workbook.Workbook.Sheets!.Elements<Sheet>());
            Assert.Equal(report.Title, sheet.Name?.Value);
            var worksheet = (WorksheetPart)workbook.GetPartById(sheet.Id!.Value!);
            var dateStyles = DateStyleIndexes(workbook);

            var sheetRows = worksheet.Worksheet.GetFirstChild<SheetData>()!.Elements<Row>().ToList();
            var header = CellsByColumn(sheetRows[0], report.Columns.Count).Select(cell => cell is null ? "" : InlineText(cell)).ToList();
            var rows = sheetRows.Skip(1).Select(sheetRow =>
            {
                var cells = CellsByColumn(sheetRow, report.Columns.Count);
                return cells.Select((cell, i) => cell is null ? null : ReadCell(cell, report.Columns[i], dateStyles)).ToArray();
            }).ToList();
            return new ReportTable(header, rows);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The cells of a row by column: by their reference (B7) where they have one, else by position.</summary>
    private static Cell?[] CellsByColumn(Row row, int columnCount)
    {
        var cells = new Cell?[columnCount];
        var position = 0;
        foreach (var cell in row.Elements<Cell>())
        {
            var index = cell.CellReference?.Value is { } reference ? ColumnNumber(reference) - 1 : position;
            Assert.InRange(index, 0, columnCount - 1);
            cells[index] = cell;
            position = index + 1;
        }

        return cells;
    }

    private static int ColumnNumber(string reference) =>
        reference.TakeWhile(char.IsAsciiLetterUpper).Aggregate(0, (number, letter) => number * 26 + letter - 'A' + 1);

    private static object ReadCell(Cell cell, ReportColumn column, HashSet<uint> dateStyles)
    {
        if (column.Type == ColumnType.Text)
        {
            return InlineText(cell);
        }

        Assert.True(cell.DataType is null || cell.DataType.Value == CellValues.Number, $"{column.Name}: a {column.Type} must be a number cell.");
        var number = cell.CellValue?.Text ?? throw new InvalidDataException($"{column.Name}: number cell without a value.");
        switch (column.Type)
        {
            case ColumnType.Integer:
                return long.Parse(number, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            case ColumnType.Decimal:
                return decimal.Parse(number, NumberStyles.Float, CultureInfo.InvariantCulture);
            default:
                Assert.True(dateStyles.Contains(cell.StyleIndex?.Value ?? 0), $"{column.Name}: a date cell must have a date number format.");
                var moment = DateTime.FromOADate(double.Parse(number, NumberStyles.Float, CultureInfo.InvariantCulture));
                // Serial dates are days as doubles; round away the sub-millisecond noise to whole seconds.
                var seconds = new DateTime((moment.Ticks + TimeSpan.TicksPerSecond / 2) / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond);
                return column.Type == ColumnType.Date ? DateOnly.FromDateTime(seconds) : seconds;
        }
    }

    private static string InlineText(Cell cell)
    {
        Assert.True(cell.DataType?.Value == CellValues.InlineString, "Text cells are inline strings.");
        return cell.InlineString?.Text?.Text ?? string.Concat(cell.InlineString!.Elements<Run>().Select(run => run.Text?.Text));
    }

    /// <summary>Indexes into cellXfs whose number format shows a date: built-in 14-22 or a custom code with y/d.</summary>
    private static HashSet<uint> DateStyleIndexes(WorkbookPart workbook)
    {
        var styles = workbook.WorkbookStylesPart?.Stylesheet ?? throw new InvalidDataException("The package has no styles.");
        var customDateFormats = styles.NumberingFormats?.Elements<NumberingFormat>()
            .Where(format => format.FormatCode?.Value is { } code && code.Contains('y', StringComparison.OrdinalIgnoreCase) && code.Contains('d', StringComparison.OrdinalIgnoreCase))
            .Select(format => format.NumberFormatId!.Value)
            .ToHashSet() ?? [];
        return styles.CellFormats!.Elements<CellFormat>()
            .Select((format, index) => (Id: format.NumberFormatId?.Value ?? 0, Index: (uint)index))
            .Where(format => format.Id is >= 14 and <= 22 || customDateFormats.Contains(format.Id))
            .Select(format => format.Index)
            .ToHashSet();
    }

    private static async Task<ReportTable> ReadJsonAsync(Stream content, ReportDefinition report)
    {
        using var document = await JsonDocument.ParseAsync(content);
        Assert.Equal(JsonValueKind.Array, document.RootElement.ValueKind);
        var header = report.Columns.Select(column => column.Name).ToList();
        var rows = new List<object?[]>();
        foreach (var item in document.RootElement.EnumerateArray())
        {
            var properties = item.EnumerateObject().ToList();
            Assert.Equal(header, properties.Select(property => property.Name));
            rows.Add(properties.Select((property, i) => ReadJsonValue(property.Value, report.Columns[i])).ToArray());
        }

        return new ReportTable(header, rows);
    }

    private static object? ReadJsonValue(JsonElement value, ReportColumn column)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var expectedKind = column.Type is ColumnType.Integer or ColumnType.Decimal ? JsonValueKind.Number : JsonValueKind.String;
        Assert.True(value.ValueKind == expectedKind, $"{column.Name}: expected a JSON {expectedKind}, got {value.ValueKind}.");
        return column.Type switch
        {
            ColumnType.Integer => value.GetInt64(),
            ColumnType.Decimal => value.GetDecimal(),
            _ => ParseText(value.GetString()!, column.Type),
        };
    }
}
