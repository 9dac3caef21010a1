using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Text;
using Dapper;
using ReportingApi.Data;

namespace ReportingApi.Reports;

/// <summary>An open, unbuffered result set and the connection it reads from; disposing closes both.</summary>
/// <param name="reader">What renderers read: <paramref name="source"/> itself, or a reader that prefetches from it.</param>
public sealed class ReportRows(DbConnection connection, DbDataReader source, DbDataReader reader) : IAsyncDisposable
{
    public DbDataReader Reader { get; } = reader;

    public async ValueTask DisposeAsync()
    {
        if (!ReferenceEquals(Reader, source))
        {
            await Reader.DisposeAsync();
        }

        await source.DisposeAsync();
        await connection.DisposeAsync();
    }
}

/// <summary>Runs a report's query for one partner and hands back the rows as they stream from the database.</summary>
public sealed class ReportReader(DbConnectionFactory connections)
{
    public async Task<ReportRows> OpenAsync(ReportRequest request, int partnerId, CancellationToken cancellationToken)
    {
        var connection = await connections.OpenAsync(cancellationToken);
        try
        {
            var (sql, parameters) = BuildQuery(request, partnerId, driveFromReportTable: connections.Provider == DatabaseProvider.MySql);
            // MySql.Data cannot be cancelled by token (it throws NullReferenceException); its command timeout bounds it.
            var token = connections.Provider == DatabaseProvider.MySql ? CancellationToken.None : cancellationToken;
            var command = new CommandDefinition(sql, parameters, commandTimeout: connections.CommandTimeoutSeconds, cancellationToken: token);
            var reader = await connection.ExecuteReaderAsync(command, CommandBehavior.SequentialAccess);
            return new ReportRows(connection, reader, connections.Provider == DatabaseProvider.MySql ? new PrefetchingDataReader(reader) : reader);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>The report's SQL with the partner scope, the period and the chosen filters as parameters.</summary>
    /// <param name="driveFromReportTable">
    /// Make MySQL join in the written order (<c>STRAIGHT_JOIN</c>), reading the report's first table in ORDER BY order.
    /// MariaDB's own plan starts from the partner's employers and sorts the whole result in a temporary table before the
    /// first row leaves. Measured on a million contracts: 5 s instead of 12 s for a partner with every employer, and for
    /// one with a tenth of them 2.5 s instead of 6.4 s for installments; contracts and bikes gain too, employees lose
    /// a little (2.9 s to 3.8 s).
    /// </param>
    internal static (string Sql, DynamicParameters Parameters) BuildQuery(ReportRequest request, int partnerId, bool driveFromReportTable)
    {
        var parameters = new DynamicParameters();
        parameters.Add("partnerId", partnerId);
        // ISO text compares correctly with DATE columns in MySQL and with the ISO text SQLite stores.
        parameters.Add("from", request.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        parameters.Add("to", request.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));

        var sql = new StringBuilder(request.Report.Sql);
        if (driveFromReportTable)
        {
            sql.Insert("SELECT ".Length, "STRAIGHT_JOIN ");
        }

        foreach (var filter in request.Report.Filters)
        {
            if (request.Filters.TryGetValue(filter.Name, out var value))
            {
                var parameter = "filter_" + filter.Name;
                sql.Append(CultureInfo.InvariantCulture, $"\n  AND {filter.SqlColumn} = @{parameter}");
                parameters.Add(parameter, filter.IsNumeric ? int.Parse(value, CultureInfo.InvariantCulture) : value);
            }
        }

        sql.Append("\nORDER BY ").Append(request.Report.OrderBy);
        return (sql.ToString(), parameters);
    }
}
