using System.Buffers;
using System.Data.Common;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using Dapper;
using MySqlConnector;

namespace ReportingApi.Demo;

/// <summary>Loads generated rows fast: <c>LOAD DATA LOCAL INFILE</c> on MySQL, one prepared insert in one transaction on SQLite.</summary>
public static class BulkLoader
{
    private const int PipeBufferBytes = 1024 * 1024;
    private const int RowsPerFlush = 256;
    private const int RowsPerLoad = 500_000;

    private static readonly SearchValues<char> TsvSpecial = SearchValues.Create("\\\t\n\r");

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

    /// <summary>
    /// <c>LOAD DATA LOCAL INFILE</c> fed as the rows are generated: a task writes them as TSV into a bounded pipe that
    /// MySqlConnector sends from, so no file is written and memory stays flat. One statement (and transaction) per
    /// <see cref="RowsPerLoad"/> rows: one statement for all 22 million installments of the benchmark took 619 s, in
    /// chunks 438 s (both on the shared machine at a load of 20-30).
    /// </summary>
    private static async Task<long> LoadMySqlAsync(MySqlConnection connection, TableRows table, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync("SET foreign_key_checks = 0, unique_checks = 0");
        try
        {
            using var rows = table.Rows.GetEnumerator();
            long total = 0;
            long loaded;
            do
            {
                loaded = await LoadChunkAsync(connection, table, rows, cancellationToken);
                total += loaded;
            }
            while (loaded == RowsPerLoad);

            return total;
        }
        finally
        {
            await connection.ExecuteAsync("SET foreign_key_checks = 1, unique_checks = 1");
        }
    }

    private static async Task<long> LoadChunkAsync(MySqlConnection connection, TableRows table, IEnumerator<object?[]> rows, CancellationToken cancellationToken)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: PipeBufferBytes, resumeWriterThreshold: PipeBufferBytes / 2, useSynchronizationContext: false));
        var writing = Task.Run(() => WriteTsvAsync(pipe.Writer, rows, cancellationToken), cancellationToken);
        try
        {
            var loader = new MySqlBulkLoader(connection)
            {
                TableName = table.Table,
                SourceStream = pipe.Reader.AsStream(),
                Local = true,
                FieldTerminator = "\t",
                LineTerminator = "\n",
                CharacterSet = "utf8mb4",
            };
            loader.Columns.AddRange(table.Columns);
            var loaded = await loader.LoadAsync(cancellationToken);
            await writing;
            return loaded;
        }
        catch
        {
            // The loader stopped reading: end the writer too, then report the loader's error.
            await pipe.Reader.CompleteAsync();
            await Task.WhenAny(writing);
            throw;
        }
    }

    /// <summary>Writes the next <see cref="RowsPerLoad"/> rows (fewer at the end).</summary>
    private static async Task WriteTsvAsync(PipeWriter output, IEnumerator<object?[]> rows, CancellationToken cancellationToken)
    {
        try
        {
            for (var count = 1; count <= RowsPerLoad && rows.MoveNext(); count++)
            {
                WriteTsvLine(output, rows.Current);
                if (count % RowsPerFlush == 0 && (await output.FlushAsync(cancellationToken)).IsCompleted)
                {
                    break;
                }
            }

            await output.CompleteAsync();
        }
        catch (Exception error)
        {
            await output.CompleteAsync(error);
        }
    }

    /// <summary>A line in LOAD DATA's default format: tab-separated, <c>\N</c> for NULL, backslash escapes; values formatted in place.</summary>
    private static void WriteTsvLine(IBufferWriter<byte> output, object?[] row)
    {
        for (var i = 0; i < row.Length; i++)
        {
            if (i > 0)
            {
                WriteByte(output, (byte)'\t');
            }

            switch (row[i])
            {
                case null:
                    Encoding.UTF8.GetBytes("\\N", output);
                    break;
                case string text when text.AsSpan().IndexOfAny(TsvSpecial) >= 0:
                    Encoding.UTF8.GetBytes(text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal)
                        .Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal), output);
                    break;
                case string text:
                    Encoding.UTF8.GetBytes(text, output);
                    break;
                case DateOnly date:
                    WriteFormatted(output, date, "O");
                    break;
                case DateTime dateTime:
                    WriteFormatted(output, dateTime, "yyyy-MM-dd HH:mm:ss");
                    break;
                case IUtf8SpanFormattable value:
                    WriteFormatted(output, value, default);
                    break;
                default:
                    Encoding.UTF8.GetBytes(Convert.ToString(row[i], CultureInfo.InvariantCulture)!, output);
                    break;
            }
        }

        WriteByte(output, (byte)'\n');
    }

    private static void WriteFormatted<T>(IBufferWriter<byte> output, T value, ReadOnlySpan<char> format)
        where T : IUtf8SpanFormattable
    {
        var span = output.GetSpan(64);
        if (!value.TryFormat(span, out var written, format, CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException($"A {value.GetType().Name} did not fit in 64 bytes.");
        }

        output.Advance(written);
    }

    private static void WriteByte(IBufferWriter<byte> output, byte value)
    {
        output.GetSpan(1)[0] = value;
        output.Advance(1);
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
