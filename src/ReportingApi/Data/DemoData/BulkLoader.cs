using System.Data.Common;
using System.Globalization;
using System.Text;
using Dapper;
using MySql.Data.MySqlClient;

namespace ReportingApi.Data.DemoData;

/// <summary>Loads generated rows fast: <c>LOAD DATA LOCAL INFILE</c> on MySQL, one prepared insert in one transaction on SQLite.</summary>
public static class BulkLoader
{
    private const int MySqlRowsPerFile = 500_000;

    public static async Task<long> LoadAsync(DbConnection connection, TableRows table, CancellationToken cancellationToken = default) =>
        connection is MySqlConnection mySql
            ? await LoadMySqlAsync(mySql, table, cancellationToken)
            : await LoadWithInsertsAsync(connection, table, cancellationToken);

    private static async Task<long> LoadWithInsertsAsync(DbConnection connection, TableRows table, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"INSERT INTO {table.Table} ({string.Join(", ", table.Columns)}) VALUES ({string.Join(", ", table.Columns.Select((_, i) => "@p" + i))})";
        var parameters = table.Columns.Select((_, i) =>
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@p" + i;
            command.Parameters.Add(parameter);
            return parameter;
        }).ToArray();

        long count = 0;
        foreach (var row in table.Rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                parameters[i].Value = ToDbValue(row[i]);
            }

            await command.ExecuteNonQueryAsync(cancellationToken);
            count++;
        }

        await transaction.CommitAsync(cancellationToken);
        return count;
    }

    private static async Task<long> LoadMySqlAsync(MySqlConnection connection, TableRows table, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync("SET foreign_key_checks = 0, unique_checks = 0");
        var path = Path.Combine(Path.GetTempPath(), $"reportingapi-load-{table.Table}-{Guid.NewGuid():N}.tsv");
        long count = 0;
        try
        {
            using var rows = table.Rows.GetEnumerator();
            var more = true;
            while (more)
            {
                var inFile = 0;
                await using (var writer = new StreamWriter(path, append: false, new UTF8Encoding(false), bufferSize: 1 << 16))
                {
                    while (inFile < MySqlRowsPerFile && (more = rows.MoveNext()))
                    {
                        WriteTsvLine(writer, rows.Current);
                        inFile++;
                    }
                }

                if (inFile == 0)
                {
                    break;
                }

                var loader = new MySqlBulkLoader(connection)
                {
                    TableName = table.Table,
                    FileName = path,
                    Local = true,
                    FieldTerminator = "\t",
                    LineTerminator = "\n",
                    CharacterSet = "utf8mb4",
                };
                loader.Columns.AddRange(table.Columns);
                count += loader.Load();
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
        finally
        {
            File.Delete(path);
            await connection.ExecuteAsync("SET foreign_key_checks = 1, unique_checks = 1");
        }

        return count;
    }

    private static void WriteTsvLine(StreamWriter writer, object?[] row)
    {
        for (var i = 0; i < row.Length; i++)
        {
            if (i > 0)
            {
                writer.Write('\t');
            }

            switch (row[i])
            {
                case null:
                    writer.Write("\\N");
                    break;
                case string text:
                    writer.Write(text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal));
                    break;
                default:
                    writer.Write(ToDbValue(row[i]));
                    break;
            }
        }

        writer.Write('\n');
    }

    /// <summary>Dates as ISO text: both engines compare and store them correctly that way.</summary>
    internal static object ToDbValue(object? value) => value switch
    {
        null => DBNull.Value,
        DateOnly date => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime dateTime => dateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        decimal number => number.ToString(CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value,
    };
}
