using System.Reflection;
using MySql.Data.MySqlClient;

namespace ReportingApi.Data;

/// <summary>
/// MySql.Data 8.0.16 reads every packet from the socket unbuffered, header and body apart: two receive calls per row,
/// which cost a report of a million rows about 2.5 s of system time (1.9 million recvmsg calls). Putting a
/// <see cref="BufferedStream"/> under the driver's packet reader makes that a few thousand. Every read still goes
/// through the one stream, and the driver's timeout stream stays below the buffer.
/// </summary>
internal static class MySqlReadBuffer
{
    public const int BufferBytes = 64 * 1024;

    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.NonPublic;

    private static readonly FieldInfo? DriverField = typeof(MySqlConnection).GetField("driver", Instance);
    private static readonly FieldInfo? HandlerField = DriverField?.FieldType.GetField("handler", Instance);
    private static readonly FieldInfo? StreamField = typeof(MySqlConnection).Assembly.GetType("MySql.Data.MySqlClient.NativeDriver")?.GetField("stream", Instance);
    private static readonly FieldInfo? InStreamField = StreamField?.FieldType.GetField("inStream", Instance);

    /// <summary>Whether this MySql.Data has the fields the buffer is put into (a test fails when an update renames them).</summary>
    public static bool IsSupported => DriverField is not null && HandlerField is not null && StreamField is not null && InStreamField is not null;

    /// <summary>Buffers the open connection's reads, once (a pooled connection keeps its buffer). False when it cannot.</summary>
    public static bool Apply(MySqlConnection connection)
    {
        if (!IsSupported)
        {
            return false;
        }

        var driver = DriverField!.GetValue(connection);
        var handler = driver is null ? null : HandlerField!.GetValue(driver);
        var packets = handler is null || !StreamField!.DeclaringType!.IsInstanceOfType(handler) ? null : StreamField.GetValue(handler);
        if (packets is null || InStreamField!.GetValue(packets) is not Stream input)
        {
            return false;
        }

        if (input is not BufferedStream)
        {
            InStreamField.SetValue(packets, new BufferedStream(input, BufferBytes));
        }

        return true;
    }
}
