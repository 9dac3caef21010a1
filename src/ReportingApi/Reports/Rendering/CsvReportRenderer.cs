using System.Data.Common;
using ReportingApi.Reports;

namespace ReportingApi.Reports.Rendering;

/// <summary>
/// RFC 4180 CSV in UTF-8 without BOM: header row of column names, CRLF, invariant numbers (two decimals for
/// money), ISO dates. Text starting with = + - @ tab or CR is prefixed with ' so spreadsheets show it as text.
/// </summary>
public sealed class CsvReportRenderer : IReportRenderer
{
    public ReportFormat Format => ReportFormat.Csv;

    public async Task<long> RenderAsync(ReportDefinition report, DbDataReader rows, Stream output, CancellationToken cancellationToken)
    {
        var columns = report.Columns;
        await using var csv = new Utf8CsvWriter(output);
        foreach (var column in columns)
        {
            csv.WriteText(column.Name);
        }

        await csv.EndRecordAsync(cancellationToken);

        long count = 0;
        while (await rows.ReadAsync(cancellationToken))
        {
            for (var i = 0; i < columns.Count; i++)
            {
                if (rows.IsDBNull(i))
                {
                    csv.WriteNull();
                    continue;
                }

                switch (columns[i].Type)
                {
                    case ColumnType.Integer:
                        csv.WriteInteger(ColumnValues.GetInteger(rows, i));
                        break;
                    case ColumnType.Decimal:
                        csv.WriteDecimal(ColumnValues.GetDecimal(rows, i));
                        break;
                    case ColumnType.Date:
                        csv.WriteDate(ColumnValues.GetDate(rows, i));
                        break;
                    case ColumnType.DateTime:
                        csv.WriteDateTime(ColumnValues.GetDateTime(rows, i));
                        break;
                    default:
                        csv.WriteText(ColumnValues.GetText(rows, i));
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
