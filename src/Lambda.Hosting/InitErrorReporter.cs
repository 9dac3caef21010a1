using Lambda.Hosting.RuntimeApi;

namespace Lambda.Hosting;

/// <summary>
/// Reports a failing start-up (an exception that ends the process before the first invocation is taken) to
/// <c>/init/error</c>, so Lambda shows the cause instead of a bare "Runtime exited".
/// </summary>
internal static class InitErrorReporter
{
    private static int s_registered;

    public static void ReportUnhandledExceptionsTo(string runtimeApiAddress)
    {
        if (Interlocked.Exchange(ref s_registered, 1) == 1)
        {
            return;
        }

        AppDomain.CurrentDomain.UnhandledException += (_, args) =>
        {
            if (args.ExceptionObject is not Exception error)
            {
                return;
            }

            try
            {
                using var client = new RuntimeApiClient(runtimeApiAddress);
                client.PostInitError(error);
            }
            catch (HttpRequestException)
            {
                // The process is ending anyway; the exception itself still reaches stderr (CloudWatch).
            }
        };
    }
}
