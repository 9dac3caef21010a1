using System.Diagnostics;
using System.Text;

namespace ReportingApi.TestSupport.Lambda;

/// <summary>
/// The real app as a separate process (<c>dotnet ReportingApi.dll</c>), with its output collected for failure
/// messages; killed (with its children) on dispose.
/// </summary>
public sealed class AppProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private AppProcess(ProcessStartInfo start) => _process = OutputReadingProcess.Start(start, Append);

    public bool HasExited => _process.HasExited;

    /// <summary>What the app wrote to stdout and stderr so far (for assertion messages).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Names another build of the app to test, e.g. the ReadyToRun publish that deploy/package.sh makes.</summary>
    public const string AppAssemblyVariable = "REPORTINGAPI_TEST_APP";

    /// <summary>
    /// The Debug/Release build output of src/ReportingApi matching the calling test assembly's configuration, or the
    /// assembly <see cref="AppAssemblyVariable"/> names.
    /// </summary>
    public static string BuiltAppAssembly()
    {
        if (Environment.GetEnvironmentVariable(AppAssemblyVariable) is { Length: > 0 } published)
        {
            return File.Exists(published) ? published : throw new FileNotFoundException($"{AppAssemblyVariable} names no file.", published);
        }

        var baseDirectory = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var targetFramework = baseDirectory.Name;
        var configuration = baseDirectory.Parent!.Name;
        var appDll = Path.Combine(RepositoryRoot(), "src", "ReportingApi", "bin", configuration, targetFramework, "ReportingApi.dll");
        return File.Exists(appDll) ? appDll : throw new FileNotFoundException($"Build src/ReportingApi ({configuration}) first.", appDll);
    }

    public static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "src", "ReportingApi", "ReportingApi.csproj")))
            {
                return folder.FullName;
            }
        }

        throw new DirectoryNotFoundException("No src/ReportingApi above " + AppContext.BaseDirectory);
    }

    /// <summary>Starts <paramref name="appDll"/> with its folder as content root (appsettings*.json) and the given environment.</summary>
    public static AppProcess Start(string appDll, IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(appDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(appDll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return new AppProcess(start);
    }

    /// <summary>Configuration keys (with ':') as environment variable names (with '__').</summary>
    public static Dictionary<string, string?> AsEnvironment(IReadOnlyDictionary<string, string?> settings) =>
        settings.ToDictionary(setting => setting.Key.Replace(":", "__", StringComparison.Ordinal), setting => setting.Value);

    /// <summary>
    /// The environment Lambda gives the function (Runtime API, function name, region), on the embedded defaults with the
    /// test PGP keys and its database, object store and demo SFTP folders under <paramref name="folder"/>.
    /// </summary>
    public static Dictionary<string, string?> LambdaEnvironment(string runtimeApiAddress, string folder)
    {
        var environment = AsEnvironment(TestPgpKeys.Settings());
        environment["AWS_LAMBDA_RUNTIME_API"] = runtimeApiAddress;
        environment["AWS_LAMBDA_FUNCTION_NAME"] = "reporting-api";
        environment["AWS_REGION"] = "eu-central-1";
        environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        environment["Database__ConnectionString"] = $"Data Source={Path.Combine(folder, "lambda.db")}";
        environment["ObjectStore__FolderPath"] = Path.Combine(folder, "objects");
        environment["DemoOnboarding__SftpRootFolder"] = Path.Combine(folder, "sftp");
        return environment;
    }

    /// <summary>
    /// The output once it holds <paramref name="last"/>: the app's console logger writes from a queue of its own, so a line
    /// logged just before the app made a request may reach stdout after the request. The output as it is after the timeout.
    /// </summary>
    public async Task<string> OutputOnceItContainsAsync(string last, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Output.Contains(last, StringComparison.Ordinal) && DateTime.UtcNow < deadline && !_process.HasExited)
        {
            await Task.Delay(50);
        }

        return Output;
    }

    /// <summary>Waits for <paramref name="ready"/>, failing early (with the app's output) if the process exits first.</summary>
    public async Task WaitUntilAsync(Task ready, TimeSpan timeout)
    {
        var exited = _process.WaitForExitAsync();
        var first = await Task.WhenAny(ready, exited, Task.Delay(timeout));
        if (first != ready)
        {
            throw new InvalidOperationException(
                (first == exited ? $"The app exited ({_process.ExitCode}) before it was ready." : $"The app was not ready within {timeout}.") + "\n" + Output);
        }

        await ready;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(string line)
    {
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
