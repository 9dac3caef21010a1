using System.Data.Common;

namespace ReportingApi.Data;

public static class DatabaseFailures
{
    /// <summary>
    /// The database could not be reached or answered: a provider error, a timeout, or MySql.Data's
    /// InvalidOperationException for a connection it lost. Code that must live on through an outage catches these.
    /// </summary>
    public static bool IsUnavailable(Exception exception) => exception is DbException or TimeoutException or InvalidOperationException;
}
