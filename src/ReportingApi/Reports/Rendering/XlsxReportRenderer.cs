using System.Data.Common;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Xml;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Spreadsheet;
using ReportingApi.Reports;

namespace ReportingApi.Reports.Rendering;

/// <summary>
/// XLSX with one sheet: a bold, frozen header row with an auto-filter, typed cells (numbers, money with two
/// decimals, real dates), column widths from the report definition.
/// The package is written part by part into a write-only zip, and the sheet row by row with
/// <see cref="OpenXmlWriter"/>, so memory stays flat; strings are inline (a shared-string table would have to be
/// held whole). Rows are read asynchronously; the zip is built in a temporary file first because the zip and XML
/// writers are synchronous and ASP.NET Core response bodies accept only asynchronous writes.
/// </summary>
public sealed class XlsxReportRenderer : IReportRenderer
{
    private const string SpreadsheetNs = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    private const string RelationshipsNs = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    private const string PackageRelationshipsNs = "http://schemas.openxmlformats.org/package/2006/relationships";

    // Indexes into cellXfs in styles.xml.
    private const uint HeaderStyle = 1;
    private const uint DateStyle = 2;
    private const uint MoneyStyle = 3;
    private const uint DateTimeStyle = 4;
    private const uint IntegerStyle = 5;

    public ReportFormat Format => ReportFormat.Xlsx;

    public async Task<long> RenderAsync(ReportDefinition report, DbDataReader rows, Stream output, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Path.GetTempPath(), $"reportingapi-{Guid.NewGuid():N}.xlsx");
        await using var buffer = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        long count;
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            WriteText(zip, "[Content_Types].xml", ContentTypes);
            WriteText(zip, "_rels/.rels", RootRelationships);
            WriteText(zip, "xl/_rels/workbook.xml.rels", WorkbookRelationships);
            WriteText(zip, "xl/styles.xml", Styles);
            count = await WriteSheetAsync(zip, report, rows, cancellationToken);
            WriteWorkbook(zip, report, count);
        }

        buffer.Position = 0;
        await buffer.CopyToAsync(output, cancellationToken);
        return count;
    }

    private static async Task<long> WriteSheetAsync(ZipArchive zip, ReportDefinition report, DbDataReader rows, CancellationToken cancellationToken)
    {
        var columns = report.Columns;
        using var stream = zip.CreateEntry("xl/worksheets/sheet1.xml", CompressionLevel.Fastest).Open();
        using var writer = OpenXmlWriter.Create(stream);
        writer.WriteStartDocument();
        writer.WriteStartElement(new Worksheet());

        writer.WriteStartElement(new SheetViews());
        writer.WriteStartElement(new SheetView { WorkbookViewId = 0U });
        writer.WriteElement(new Pane { VerticalSplit = 1D, TopLeftCell = "A2", ActivePane = PaneValues.BottomLeft, State = PaneStateValues.Frozen });
        writer.WriteEndElement();
        writer.WriteEndElement();

        writer.WriteStartElement(new Columns());
        for (var i = 0; i < columns.Count; i++)
        {
            writer.WriteElement(new Column { Min = (uint)i + 1, Max = (uint)i + 1, Width = columns[i].Width, CustomWidth = true });
        }

        writer.WriteEndElement();

        writer.WriteStartElement(new SheetData());
        var cells = new CellWriter(writer);
        writer.WriteStartElement(cells.Row);
        foreach (var column in columns)
        {
            cells.WriteInlineString(column.Title, HeaderStyle);
        }

        writer.WriteEndElement();

        long count = 0;
        while (await rows.ReadAsync(cancellationToken))
        {
            writer.WriteStartElement(cells.Row);
            for (var i = 0; i < columns.Count; i++)
            {
                if (rows.IsDBNull(i))
                {
                    // An empty cell keeps the columns aligned for readers that ignore cell references.
                    cells.WriteEmpty();
                    continue;
                }

                switch (columns[i].Type)
                {
                    case ColumnType.Integer:
                        cells.WriteNumber(ColumnValues.GetInteger(rows, i).ToString(CultureInfo.InvariantCulture), IntegerStyle);
                        break;
                    case ColumnType.Decimal:
                        cells.WriteNumber(ColumnValues.GetDecimal(rows, i).ToString(CultureInfo.InvariantCulture), MoneyStyle);
                        break;
                    case ColumnType.Date:
                        cells.WriteNumber(ColumnValues.GetDate(rows, i).ToDateTime(TimeOnly.MinValue).ToOADate().ToString(CultureInfo.InvariantCulture), DateStyle);
                        break;
                    case ColumnType.DateTime:
                        cells.WriteNumber(ColumnValues.GetDateTime(rows, i).ToOADate().ToString("R", CultureInfo.InvariantCulture), DateTimeStyle);
                        break;
                    default:
                        cells.WriteInlineString(ColumnValues.GetText(rows, i), 0);
                        break;
                }
            }

            writer.WriteEndElement();
            count++;
        }

        writer.WriteEndElement();
        writer.WriteElement(new AutoFilter { Reference = FilterRange(columns.Count, count) });
        writer.WriteEndElement();
        writer.Close();
        return count;
    }

    private static void WriteWorkbook(ZipArchive zip, ReportDefinition report, long rowCount)
    {
        var sheetName = report.Title.Length > 31 ? report.Title[..31] : report.Title;
        var workbook = new Workbook(
            new Sheets(new Sheet { Name = sheetName, SheetId = 1U, Id = "rId1" }),
            new DefinedNames(new DefinedName($"'{sheetName}'!{AbsoluteRange(report.Columns.Count, rowCount)}")
            {
                Name = "_xlnm._FilterDatabase",
                LocalSheetId = 0U,
                Hidden = true,
            }));
        workbook.AddNamespaceDeclaration("r", RelationshipsNs);
        using var stream = zip.CreateEntry("xl/workbook.xml", CompressionLevel.Fastest).Open();
        using var xml = XmlWriter.Create(stream, new XmlWriterSettings { Encoding = new UTF8Encoding(false) });
        workbook.WriteTo(xml);
    }

    private static void WriteText(ZipArchive zip, string name, string content)
    {
        using var stream = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
        var bytes = new UTF8Encoding(false).GetBytes(content);
        stream.Write(bytes);
    }

    private static string FilterRange(int columnCount, long rowCount) => $"A1:{ColumnLetters(columnCount)}{rowCount + 1}";

    private static string AbsoluteRange(int columnCount, long rowCount) => $"$A$1:${ColumnLetters(columnCount)}${rowCount + 1}";

    internal static string ColumnLetters(int columnNumber)
    {
        var letters = "";
        for (var n = columnNumber; n > 0; n = (n - 1) / 26)
        {
            letters = (char)('A' + (n - 1) % 26) + letters;
        }

        return letters;
    }

    /// <summary>Writes cells through reused element and attribute instances: allocating per cell costs a third of the time.</summary>
    private sealed class CellWriter(OpenXmlWriter writer)
    {
        private readonly Cell _cell = new();
        private readonly CellValue _value = new();
        private readonly InlineString _inline = new();
        private readonly Text _text = new();
        // One attribute list per style index (0..5), for number cells and for inline-string cells.
        private readonly OpenXmlAttribute[][] _numberAttributes = Enumerable.Range(0, 6).Select(style => new OpenXmlAttribute[] { new("s", "", Style(style)) }).ToArray();
        private readonly OpenXmlAttribute[][] _stringAttributes = Enumerable.Range(0, 6).Select(style => new OpenXmlAttribute[] { new("s", "", Style(style)), new("t", "", "inlineStr") }).ToArray();
        private readonly OpenXmlAttribute[] _preserveSpace = [new("xml", "space", "http://www.w3.org/XML/1998/namespace", "preserve")];

        public Row Row { get; } = new();

        public void WriteNumber(string value, uint style)
        {
            writer.WriteStartElement(_cell, _numberAttributes[style]);
            writer.WriteStartElement(_value);
            writer.WriteString(value);
            writer.WriteEndElement();
            writer.WriteEndElement();
        }

        public void WriteEmpty()
        {
            writer.WriteStartElement(_cell);
            writer.WriteEndElement();
        }

        public void WriteInlineString(string value, uint style)
        {
            writer.WriteStartElement(_cell, _stringAttributes[style]);
            writer.WriteStartElement(_inline);
            var text = XmlSafe(value);
            if (text.Length > 0 && (char.IsWhiteSpace(text[0]) || char.IsWhiteSpace(text[^1])))
            {
                writer.WriteStartElement(_text, _preserveSpace);
            }
            else
            {
                writer.WriteStartElement(_text);
            }

            writer.WriteString(text);
            writer.WriteEndElement();
            writer.WriteEndElement();
            writer.WriteEndElement();
        }

        private static string Style(int index) => index.ToString(CultureInfo.InvariantCulture);

        // Control characters other than tab/CR/LF cannot appear in XML 1.0; drop them rather than fail the file.
        private static string XmlSafe(string value)
        {
            foreach (var c in value)
            {
                if (!XmlConvert.IsXmlChar(c) && !char.IsSurrogate(c))
                {
                    return string.Concat(value.Where(ch => XmlConvert.IsXmlChar(ch) || char.IsSurrogate(ch)));
                }
            }

            return value;
        }
    }

    private const string ContentTypes =
        """<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>""";

    private const string RootRelationships =
        $"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{PackageRelationshipsNs}"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>""";

    private const string WorkbookRelationships =
        $"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{PackageRelationshipsNs}"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>""";

    // cellXfs: 0 default, 1 bold header, 2 date, 3 money (#,##0.00), 4 timestamp, 5 integer.
    private const string Styles =
        $"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="{SpreadsheetNs}"><numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/><numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="6"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="1" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>""";
}
