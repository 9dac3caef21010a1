using System.Data.Common;
using ReportingApi.Reports;

namespace ReportingApi.Reports.Rendering;

/// <summary>Writes a report's rows, as they are read, to a stream in one format. Memory does not grow with rows.</summary>
public interface IReportRenderer
{
    ReportFormat Format { get; }

    /// <summary>Renders every row of <paramref name="rows"/> (whose columns are the report's, in order) and returns the row count.</summary>
    Task<long> RenderAsync(ReportDefinition report, DbDataReader rows, Stream output, CancellationToken cancellationToken);
}
