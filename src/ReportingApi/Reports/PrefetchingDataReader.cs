using System.Collections;
using System.Data.Common;
using System.Globalization;
using System.Threading.Channels;

namespace ReportingApi.Reports;

/// <summary>
/// Reads rows from the database on a thread of its own, a batch ahead of the renderer. MySql.Data reads and parses
/// synchronously (its async methods are not), so without this the database read and the rendering take turns on one
/// thread; with it they overlap, and no request thread blocks on the socket. Memory is bounded: at most
/// <see cref="MaxBatchesAhead"/> batches of <see cref="BatchSize"/> rows wait.
/// </summary>
internal sealed class PrefetchingDataReader : DbDataReader
{
    public const int BatchSize = 512;
    public const int MaxBatchesAhead = 4;

    private readonly DbDataReader _source;
    private readonly Channel<object[][]> _batches = Channel.CreateBounded<object[][]>(new BoundedChannelOptions(MaxBatchesAhead) { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _producer;
    private object[][] _batch = [];
    private int _batchCount;
    private int _index = -1;
    private object[] _row = [];
    private bool _closed;

    public PrefetchingDataReader(DbDataReader source)
    {
        _source = source;
        FieldCount = source.FieldCount;
        _producer = Task.Factory.StartNew(Produce, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    public override int FieldCount { get; }

    public override int Depth => 0;

    public override bool HasRows => _batchCount > 0 || _source.HasRows;

    public override bool IsClosed => _closed;

    public override int RecordsAffected => -1;

    public override object this[int ordinal] => GetValue(ordinal);

    public override object this[string name] => GetValue(GetOrdinal(name));

    public override bool Read() => ReadAsync(CancellationToken.None).GetAwaiter().GetResult();

    public override async Task<bool> ReadAsync(CancellationToken cancellationToken)
    {
        if (++_index < _batchCount)
        {
            _row = _batch[_index];
            return true;
        }

        while (await _batches.Reader.WaitToReadAsync(cancellationToken))
        {
            if (_batches.Reader.TryRead(out var batch))
            {
                _batch = batch;
                _batchCount = batch.Length;
                _index = 0;
                _row = batch[0];
                return true;
            }
        }

        // The producer's failure (a lost connection, a timeout) surfaces here, to the renderer.
        await _producer;
        return false;
    }

    public override bool NextResult() => false;

    public override bool IsDBNull(int ordinal) => _row[ordinal] is DBNull;

    public override object GetValue(int ordinal) => _row[ordinal];

    public override int GetValues(object[] values)
    {
        var count = Math.Min(values.Length, FieldCount);
        Array.Copy(_row, values, count);
        return count;
    }

    public override string GetString(int ordinal) => (string)_row[ordinal];

    public override long GetInt64(int ordinal) => Convert.ToInt64(_row[ordinal], CultureInfo.InvariantCulture);

    public override int GetInt32(int ordinal) => Convert.ToInt32(_row[ordinal], CultureInfo.InvariantCulture);

    public override short GetInt16(int ordinal) => Convert.ToInt16(_row[ordinal], CultureInfo.InvariantCulture);

    public override byte GetByte(int ordinal) => Convert.ToByte(_row[ordinal], CultureInfo.InvariantCulture);

    public override bool GetBoolean(int ordinal) => Convert.ToBoolean(_row[ordinal], CultureInfo.InvariantCulture);

    public override decimal GetDecimal(int ordinal) => Convert.ToDecimal(_row[ordinal], CultureInfo.InvariantCulture);

    public override double GetDouble(int ordinal) => Convert.ToDouble(_row[ordinal], CultureInfo.InvariantCulture);

    public override float GetFloat(int ordinal) => Convert.ToSingle(_row[ordinal], CultureInfo.InvariantCulture);

    public override DateTime GetDateTime(int ordinal) => Convert.ToDateTime(_row[ordinal], CultureInfo.InvariantCulture);

    public override char GetChar(int ordinal) => Convert.ToChar(_row[ordinal], CultureInfo.InvariantCulture);

    public override Guid GetGuid(int ordinal) => (Guid)_row[ordinal];

    public override long GetBytes(int ordinal, long dataOffset, byte[]? buffer, int bufferOffset, int length) => throw new NotSupportedException();

    public override long GetChars(int ordinal, long dataOffset, char[]? buffer, int bufferOffset, int length) => throw new NotSupportedException();

    public override string GetDataTypeName(int ordinal) => _source.GetDataTypeName(ordinal);

    public override Type GetFieldType(int ordinal) => _source.GetFieldType(ordinal);

    public override string GetName(int ordinal) => _source.GetName(ordinal);

    public override int GetOrdinal(string name) => _source.GetOrdinal(name);

    public override IEnumerator GetEnumerator() => new DbEnumerator(this);

    public override async ValueTask DisposeAsync()
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        await _stop.CancelAsync();
        try
        {
            await _producer;
        }
        catch (Exception)
        {
            // Already reported to the renderer by ReadAsync, or irrelevant once the caller stops reading.
        }

        _stop.Dispose();
        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_closed)
        {
            DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        base.Dispose(disposing);
    }

    private async Task Produce()
    {
        try
        {
            var batch = new List<object[]>(BatchSize);
            while (!_stop.IsCancellationRequested && _source.Read())
            {
                var row = new object[FieldCount];
                _source.GetValues(row);
                batch.Add(row);
                if (batch.Count == BatchSize)
                {
                    await _batches.Writer.WriteAsync([.. batch], _stop.Token);
                    batch.Clear();
                }
            }

            if (batch.Count > 0 && !_stop.IsCancellationRequested)
            {
                await _batches.Writer.WriteAsync([.. batch], _stop.Token);
            }

            _batches.Writer.TryComplete();
        }
        catch (Exception error)
        {
            _batches.Writer.TryComplete(error is OperationCanceledException ? null : error);
            if (error is not OperationCanceledException)
            {
                throw;
            }
        }
    }
}
