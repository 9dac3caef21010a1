using System.Data.Common;
using Microsoft.Data.Sqlite;
using MySqlConnector;
using static SQLitePCL.raw;

namespace ReportingApi.Data;

/// <summary>
/// The one answer to "is the database unavailable?", for the exception handler (503 problem), the run executor (a
/// retried step) and the readiness check alike. Errors that a retry cannot cure (bad SQL, a broken constraint) are not
/// outages: they are bugs, and stay 500s and failed runs.
/// </summary>
public static class DatabaseFailures
{
    public static bool IsUnavailable(Exception exception) => exception switch
    {
        // The password cannot be had from its secret: no connection can be made.
        DatabaseSecretException => true,
        // IsTransient: cannot connect, too many connections, deadlock or lock wait. A refused login persists past one
        // re-read of the secret only while a rotation is under way; a command timeout is a database too busy to answer.
        MySqlException mySql => mySql.IsTransient
            || mySql.ErrorCode is MySqlErrorCode.AccessDenied or MySqlErrorCode.CommandTimeoutExpired or MySqlErrorCode.ServerShutdown,
        // The file cannot be opened or read, or another writer holds it for longer than the busy timeout.
        SqliteException sqlite => sqlite.SqliteErrorCode is SQLITE_BUSY or SQLITE_LOCKED or SQLITE_IOERR or SQLITE_CANTOPEN,
        DbException other => other.IsTransient,
        _ => false,
    };
}
