using System.Buffers;
using System.Globalization;
using System.Text;

namespace ReportingApi.Reports.Rendering;

/// <summary>
/// Writes RFC 4180 CSV as UTF-8 straight into a byte buffer: values are formatted as UTF-8 in place (no strings in
/// between), text is quoted only when it holds a comma, quote, CR or LF, and text a spreadsheet would run as a
/// formula (starting with = + - @ tab or CR) gets a leading <c>'</c> and quotes. The buffer goes to the output at the
/// end of a record once it is nearly full, so memory does not grow with the number of rows.
/// </summary>
internal sealed class Utf8CsvWriter : IAsyncDisposable
{
    private const int BufferBytes = 64 * 1024;
    private const int FlushThreshold = BufferBytes - (16 * 1024);
    private const byte Separator = (byte)',';
    private const byte Quote = (byte)'"';
    private const byte FormulaEscape = (byte)'\'';

    private static readonly SearchValues<char> NeedsQuotes = SearchValues.Create(",\"\r\n");
    private static readonly SearchValues<char> FormulaStarts = SearchValues.Create("=+-@\t\r");

    private readonly Stream _output;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
    private int _length;
    private bool _recordStarted;

    public Utf8CsvWriter(Stream output) => _output = output;

    public void WriteNull() => StartField();

    public void WriteText(string text)
    {
        StartField();
        var formula = text.Length > 0 && FormulaStarts.Contains(text[0]);
        if (!formula && text.AsSpan().IndexOfAny(NeedsQuotes) < 0)
        {
            Ensure(Encoding.UTF8.GetMaxByteCount(text.Length));
            _length += Encoding.UTF8.GetBytes(text, _buffer.AsSpan(_length));
            return;
        }

        // Worst case: every character a quote (doubled), plus the escape and the enclosing quotes.
        Ensure(Encoding.UTF8.GetMaxByteCount(text.Length) * 2 + 3);
        _buffer[_length++] = Quote;
        if (formula)
        {
            _buffer[_length++] = FormulaEscape;
        }

        var rest = text.AsSpan();
        for (var quote = rest.IndexOf('"'); quote >= 0; quote = rest.IndexOf('"'))
        {
            _length += Encoding.UTF8.GetBytes(rest[..(quote + 1)], _buffer.AsSpan(_length));
            _buffer[_length++] = Quote;
            rest = rest[(quote + 1)..];
        }

        _length += Encoding.UTF8.GetBytes(rest, _buffer.AsSpan(_length));
        _buffer[_length++] = Quote;
    }

    public void WriteInteger(long value) => WriteFormatted(value, default);

    /// <summary>Two decimals, invariant: <c>1234.50</c>.</summary>
    public void WriteDecimal(decimal value) => WriteFormatted(value, ColumnValues.DecimalFormat);

    /// <summary>ISO 8601: <c>2026-01-31</c>.</summary>
    public void WriteDate(DateOnly value) => WriteFormatted(value, ColumnValues.DateFormat);

    /// <summary>ISO 8601 without fractions or zone: <c>2026-01-31T13:14:15</c>.</summary>
    public void WriteDateTime(DateTime value) => WriteFormatted(value, ColumnValues.DateTimeFormat);

    /// <summary>Ends the record with CRLF; sends the buffer on when it is nearly full.</summary>
    public ValueTask EndRecordAsync(CancellationToken cancellationToken)
    {
        Ensure(2);
        _buffer[_length++] = (byte)'\r';
        _buffer[_length++] = (byte)'\n';
        _recordStarted = false;
        return _length >= FlushThreshold ? FlushAsync(cancellationToken) : ValueTask.CompletedTask;
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_length > 0)
        {
            await _output.WriteAsync(_buffer.AsMemory(0, _length), cancellationToken);
            _length = 0;
        }
    }

    public ValueTask DisposeAsync()
    {
        // Whatever is still buffered was not asked for: the caller flushes a complete file.
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        return ValueTask.CompletedTask;
    }

    private void WriteFormatted<T>(T value, ReadOnlySpan<char> format)
        where T : IUtf8SpanFormattable
    {
        StartField();
        Ensure(64);
        if (!value.TryFormat(_buffer.AsSpan(_length), out var written, format, CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException($"A {typeof(T).Name} did not fit in 64 bytes.");
        }

        _length += written;
    }

    private void StartField()
    {
        if (_recordStarted)
        {
            Ensure(1);
            _buffer[_length++] = Separator;
        }

        _recordStarted = true;
    }

    /// <summary>Makes room for <paramref name="bytes"/> more; only a record longer than the buffer makes it grow.</summary>
    private void Ensure(int bytes)
    {
        if (_length + bytes <= _buffer.Length)
        {
            return;
        }

        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + bytes));
        _buffer.AsSpan(0, _length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
