using System.Data;
using System.Globalization;
using System.Text;
using System.Text.Json;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using ReportingApi.Reports;
using ReportingApi.Reports.Rendering;
using ReportingApi.TestSupport;

namespace ReportingApi.Tests.Rendering;

public sealed class RendererTests
{
    private static readonly ReportDefinition Report = new(
        "sample", "Sample", "", "",
        [
            new("name", "Name", ColumnType.Text, ""),
            new("count", "Count", ColumnType.Integer, ""),
            new("amount", "Amount", ColumnType.Decimal, ""),
            new("day", "Day", ColumnType.Date, ""),
            new("at", "At", ColumnType.DateTime, ""),
        ],
        [], "", "");

    private static DataTableReader Rows(params object?[][] rows)
    {
        var table = new DataTable();
        table.Columns.Add("name", typeof(string));
        table.Columns.Add("count", typeof(long));
        table.Columns.Add("amount", typeof(decimal));
        table.Columns.Add("day", typeof(DateTime));
        table.Columns.Add("at", typeof(DateTime));
        foreach (var row in rows)
        {
            table.Rows.Add(row.Select(value => value ?? DBNull.Value).ToArray());
        }

        return table.CreateDataReader();
    }

    private static readonly object?[] Plain = ["Müller, \"Rad\" & Co", 3L, 49.9m, new DateTime(2026, 1, 1), new DateTime(2026, 1, 2, 13, 14, 15)];

    private static async Task<byte[]> RenderAsync(IReportRenderer renderer, DataTableReader rows)
    {
        using var output = new MemoryStream();
        await renderer.RenderAsync(Report, rows, output, CancellationToken.None);
        return output.ToArray();
    }

    [Fact]
    public async Task Csv_is_rfc4180_utf8_with_invariant_values_and_no_bom()
    {
        var bytes = await RenderAsync(new CsvReportRenderer(), Rows(Plain, ["line\nbreak", null, null, null, null]));

        Assert.NotEqual(0xEF, bytes[0]);
        Assert.Equal(
            "name,count,amount,day,at\r\n\"Müller, \"\"Rad\"\" & Co\",3,49.90,2026-01-01,2026-01-02T13:14:15\r\n\"line\nbreak\",,,,\r\n",
            Encoding.UTF8.GetString(bytes));
    }

    [Theory]
    [InlineData("=HYPERLINK(\"http://evil\")")]
    [InlineData("+1+1")]
    [InlineData("-2+3")]
    [InlineData("@SUM(A1)")]
    [InlineData("\tcmd")]
    public async Task Csv_defuses_spreadsheet_formulas(string text)
    {
        var csv = Encoding.UTF8.GetString(await RenderAsync(new CsvReportRenderer(), Rows([text, 1L, -5m, new DateTime(2026, 1, 1), new DateTime(2026, 1, 1)])));
        var field = ReportFiles.Parse(ReportFormat.Csv, Encoding.UTF8.GetBytes(csv), Report).Rows[0][0];

        Assert.Equal("'" + text, field);
        Assert.Contains(",-5.00,", csv, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Csv_keeps_text_longer_than_its_buffer_and_many_rows_intact()
    {
        var longText = string.Concat(Enumerable.Repeat("Grüße, \"Rad\"\r\n", 30_000));
        var rows = Enumerable.Range(0, 20_000)
            .Select(n => new object?[] { n == 7 ? longText : $"name {n}", (long)n, n / 4m, new DateTime(2026, 1, 1).AddDays(n % 365), new DateTime(2026, 1, 1, 8, 0, 0).AddMinutes(n) })
            .ToArray();

        var csv = ReportFiles.Parse(ReportFormat.Csv, await RenderAsync(new CsvReportRenderer(), Rows(rows)), Report);

        Assert.Equal(rows.Length, csv.Rows.Count);
        Assert.Equal(longText, csv.Rows[7][0]);
        Assert.Equal(["name 19999", "19999", "4999.75", "2026-10-17", "2026-01-15T05:19:00"], csv.Rows[^1].Select(value => value ?? "<null>"));
    }

    [Fact]
    public async Task Json_is_an_array_with_numbers_iso_dates_and_nulls()
    {
        var bytes = await RenderAsync(new JsonReportRenderer(), Rows(Plain, ["x", null, null, null, null]));
        using var json = JsonDocument.Parse(bytes);

        var first = json.RootElement[0];
        Assert.Equal("Müller, \"Rad\" & Co", first.GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Number, first.GetProperty("amount").ValueKind);
        Assert.Equal(49.9m, first.GetProperty("amount").GetDecimal());
        Assert.Equal(3, first.GetProperty("count").GetInt64());
        Assert.Equal("2026-01-01", first.GetProperty("day").GetString());
        Assert.Equal("2026-01-02T13:14:15", first.GetProperty("at").GetString());
        Assert.Equal(JsonValueKind.Null, json.RootElement[1].GetProperty("amount").ValueKind);
        Assert.Contains("Müller", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_of_no_rows_is_an_empty_array()
    {
        Assert.Equal("[]", Encoding.UTF8.GetString(await RenderAsync(new JsonReportRenderer(), Rows())));
    }

    [Fact]
    public async Task Xlsx_has_a_bold_frozen_filtered_header_and_typed_cells()
    {
        var bytes = await RenderAsync(new XlsxReportRenderer(), Rows(Plain, [" padded ", 7L, 1234.5m, new DateTime(1999, 12, 31), new DateTime(2026, 6, 1)]));
        using var document = SpreadsheetDocument.Open(new MemoryStream(bytes), false);
        var workbook = document.WorkbookPart!;
        var sheet = workbook.WorksheetParts.Single().Worksheet;
        var styles = workbook.WorkbookStylesPart!.Stylesheet;
        var cellFormats = styles.CellFormats!.Elements<CellFormat>().ToList();
        var rows = sheet.GetFirstChild<SheetData>()!.Elements<Row>().ToList();

        Assert.Equal("Sample", workbook.Workbook.Sheets!.Elements<Sheet>().Single().Name!.Value);
        var pane = sheet.GetFirstChild<SheetViews>()!.Descendants<Pane>().Single();
        Assert.Equal(PaneStateValues.Frozen, pane.State!.Value);
        Assert.Equal(1D, pane.VerticalSplit!.Value);
        Assert.Equal("A1:E3", sheet.GetFirstChild<AutoFilter>()!.Reference!.Value);
        Assert.Equal(5, sheet.GetFirstChild<Columns>()!.Elements<Column>().Count());

        var header = rows[0].Elements<Cell>().ToList();
        Assert.Equal(["Name", "Count", "Amount", "Day", "At"], header.Select(ReportFiles.CellText));
        var headerFont = styles.Fonts!.Elements<Font>().ElementAt((int)cellFormats[(int)header[0].StyleIndex!.Value].FontId!.Value);
        Assert.NotNull(headerFont.Bold);

        var cells = rows[2].Elements<Cell>().ToList();
        Assert.Equal(" padded ", cells[0].InlineString!.InnerText);
        Assert.Null(cells[1].DataType);
        Assert.Equal("7", cells[1].CellValue!.Text);
        Assert.Equal("1234.5", cells[2].CellValue!.Text);
        Assert.Equal(4U, cellFormats[(int)cells[2].StyleIndex!.Value].NumberFormatId!.Value);
        Assert.Equal(new DateTime(1999, 12, 31), DateTime.FromOADate(double.Parse(cells[3].CellValue!.Text, CultureInfo.InvariantCulture)));
        var dateFormatId = cellFormats[(int)cells[3].StyleIndex!.Value].NumberFormatId!.Value;
        Assert.Equal("yyyy-mm-dd", styles.NumberingFormats!.Elements<NumberingFormat>().Single(format => format.NumberFormatId!.Value == dateFormatId).FormatCode!.Value);
    }

    [Fact]
    public async Task Xlsx_drops_characters_xml_cannot_hold_instead_of_failing()
    {
        var bytes = await RenderAsync(new XlsxReportRenderer(), Rows(["bell\u0007 and nul\u0000", 1L, 1m, new DateTime(2026, 1, 1), new DateTime(2026, 1, 1)]));
        Assert.Equal("bell and nul", ReportFiles.Parse(ReportFormat.Xlsx, bytes, Report).Rows[0][0]);
    }

    [Fact]
    public void Column_letters_follow_spreadsheet_naming()
    {
        Assert.Equal(["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"], new[] { 1, 26, 27, 52, 53, 702, 703 }.Select(XlsxReportRenderer.ColumnLetters));
    }
}
