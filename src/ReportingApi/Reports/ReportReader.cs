using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Text;
using ReportingApi.Data;
using ReportingApi.Reports.Rendering;

namespace ReportingApi.Reports;

/// <summary>A report's SQL and its parameters (the partner scope, the period, the chosen filters).</summary>
public sealed record ReportQuery(string Sql, IReadOnlyList<KeyValuePair<string, object>> Parameters)
{
    public object this[string name] => Parameters.Single(parameter => parameter.Key == name).Value;
}

/// <summary>
/// An open result set of one report, read as the database sends it, and the connection it comes from. Disposing it
/// before every row was rendered (the client hung up, the run was cancelled, the renderer failed) cancels the query, so
/// the database stops it at once instead of sending the rest of the rows to be read and dropped.
/// </summary>
public sealed class ReportRows(ReportDefinition report, DbConnection connection, DbCommand command, DbDataReader reader) : IAsyncDisposable
{
    private bool _readToEnd;

    /// <summary>Renders every row with <paramref name="renderer"/> into <paramref name="output"/>; returns the row count.</summary>
    public async Task<long> RenderAsync(IReportRenderer renderer, Stream output, CancellationToken cancellationToken)
    {
        var count = await renderer.RenderAsync(report, reader, output, cancellationToken);
        _readToEnd = true;
        return count;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_readToEnd)
        {
            // MySQL: KILL QUERY from a connection of its own; SQLite: an interrupt. The reader then ends early.
            command.Cancel();
        }

        await reader.DisposeAsync();
        await command.DisposeAsync();
        await connection.DisposeAsync();
    }
}

/// <summary>Runs a report's query for one partner and hands back the rows as they stream from the database.</summary>
public sealed class ReportReader(DbConnectionFactory connections)
{
    /// <summary>Opens the report's rows; <paramref name="cancellationToken"/> also cancels the query on the server.</summary>
    public async Task<ReportRows> OpenAsync(ReportRequest request, int partnerId, CancellationToken cancellationToken)
    {
        var connection = await connections.OpenAsync(cancellationToken);
        DbCommand? command = null;
        try
        {
            var query = BuildQuery(request, partnerId, connections.Provider);
            command = connection.CreateCommand();
            command.CommandText = query.Sql;
            command.CommandTimeout = connections.CommandTimeoutSeconds;
            foreach (var (name, value) in query.Parameters)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = "@" + name;
                parameter.Value = value;
                command.Parameters.Add(parameter);
            }

            var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken);
            return new ReportRows(request.Report, connection, command, reader);
        }
        catch
        {
            if (command is not null)
            {
                await command.DisposeAsync();
            }

            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>The report's SQL for <paramref name="provider"/> with the partner scope, the period and the chosen filters as parameters.</summary>
    internal static ReportQuery BuildQuery(ReportRequest request, int partnerId, DatabaseProvider provider)
    {
        var parameters = new List<KeyValuePair<string, object>>
        {
            new("partnerId", partnerId),
            // ISO text compares correctly with DATE columns in MySQL and with the ISO text SQLite stores.
            new("from", request.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            new("to", request.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        };

        var sql = new StringBuilder(request.Report.Sql);
        foreach (var filter in request.Report.Filters)
        {
            if (request.Filters.TryGetValue(filter.Name, out var value))
            {
                var parameter = "filter_" + filter.Name;
                sql.Append(CultureInfo.InvariantCulture, $"\n  AND {filter.SqlColumn} = @{parameter}");
                parameters.Add(new(parameter, filter.IsNumeric ? int.Parse(value, CultureInfo.InvariantCulture) : value));
            }
        }

        // See ReportDefinition.OrderBy: on MySQL the later keys come in index order, and naming them would sort.
        var orderBy = provider == DatabaseProvider.MySql ? request.Report.OrderBy.Split(',')[0] : request.Report.OrderBy;
        sql.Append("\nORDER BY ").Append(orderBy);
        return new ReportQuery(sql.ToString(), parameters);
    }
}
