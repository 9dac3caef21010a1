using System.Data.Common;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using ReportingApi.Reports;

namespace ReportingApi.Reports.Rendering;

/// <summary>A JSON array of objects with camelCase properties, money as numbers, ISO dates; flushed as it grows.</summary>
public sealed class JsonReportRenderer : IReportRenderer
{
    private const int FlushThresholdBytes = 32 * 1024;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // The file is data for programs, not HTML: keep umlauts and quotes readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    public ReportFormat Format => ReportFormat.Json;

    public async Task<long> RenderAsync(ReportDefinition report, DbDataReader rows, Stream output, CancellationToken cancellationToken)
    {
        var columns = report.Columns;
        var names = columns.Select(column => JsonEncodedText.Encode(column.Name, WriterOptions.Encoder)).ToArray();
        await using var json = new Utf8JsonWriter(output, WriterOptions);
        json.WriteStartArray();

        long count = 0;
        var text = new char[32];
        while (await rows.ReadAsync(cancellationToken))
        {
            json.WriteStartObject();
            for (var i = 0; i < columns.Count; i++)
            {
                if (rows.IsDBNull(i))
                {
                    json.WriteNull(names[i]);
                    continue;
                }

                switch (columns[i].Type)
                {
                    case ColumnType.Integer:
                        json.WriteNumber(names[i], ColumnValues.GetInteger(rows, i));
                        break;
                    case ColumnType.Decimal:
                        json.WriteNumber(names[i], ColumnValues.GetDecimal(rows, i));
                        break;
                    case ColumnType.Date:
                        ColumnValues.GetDate(rows, i).TryFormat(text, out var dateLength, ColumnValues.DateFormat, CultureInfo.InvariantCulture);
                        json.WriteString(names[i], text.AsSpan(0, dateLength));
                        break;
                    case ColumnType.DateTime:
                        ColumnValues.GetDateTime(rows, i).TryFormat(text, out var dateTimeLength, ColumnValues.DateTimeFormat, CultureInfo.InvariantCulture);
                        json.WriteString(names[i], text.AsSpan(0, dateTimeLength));
                        break;
                    default:
                        json.WriteString(names[i], ColumnValues.GetText(rows, i));
                        break;
                }
            }

            json.WriteEndObject();
            count++;
            if (json.BytesPending > FlushThresholdBytes)
            {
                await json.FlushAsync(cancellationToken);
            }
        }

        json.WriteEndArray();
        await json.FlushAsync(cancellationToken);
        return count;
    }
}
