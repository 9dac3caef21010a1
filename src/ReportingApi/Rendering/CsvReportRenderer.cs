using System.Data.Common;
using CsvHelper;
using ReportingApi.Reports;

namespace ReportingApi.Rendering;

/// <summary>
/// RFC 4180 CSV in UTF-8 without BOM: header row of column names, CRLF, invariant numbers (two decimals for
/// money), ISO dates. Text starting with = + - @ tab or CR is prefixed with ' so spreadsheets show it as text.
/// </summary>
public sealed class CsvReportRenderer : IReportRenderer
{
    private static readonly CsvWriterOptions Options = CsvWriterOptions.Default with { Injection = CsvInjection.Escape };

    public ReportFormat Format => ReportFormat.Csv;

    public async Task<long> RenderAsync(ReportDefinition report, DbDataReader rows, Stream output, CancellationToken cancellationToken)
    {
        var columns = report.Columns;
        await using var csv = CsvWriter.Create(output, Options, leaveOpen: true);
        csv.WriteHeader(columns.Select(column => column.Name).ToArray());

        long count = 0;
        while (await rows.ReadAsync(cancellationToken))
        {
            for (var i = 0; i < columns.Count; i++)
            {
                if (rows.IsDBNull(i))
                {
                    csv.WriteField((string?)null);
                    continue;
                }

                switch (columns[i].Type)
                {
                    case ColumnType.Integer:
                        csv.WriteField(ColumnValues.GetInteger(rows, i), default);
                        break;
                    case ColumnType.Decimal:
                        csv.WriteField(ColumnValues.GetDecimal(rows, i), ColumnValues.DecimalFormat);
                        break;
                    case ColumnType.Date:
                        csv.WriteField(ColumnValues.GetDate(rows, i), ColumnValues.DateFormat);
                        break;
                    case ColumnType.DateTime:
                        csv.WriteField(ColumnValues.GetDateTime(rows, i), ColumnValues.DateTimeFormat);
                        break;
                    default:
                        csv.WriteField(ColumnValues.GetText(rows, i));
                        break;
                }
            }

            await csv.EndRecordAsync(cancellationToken);
            count++;
        }

        await csv.FlushAsync(cancellationToken);
        return count;
    }
}
