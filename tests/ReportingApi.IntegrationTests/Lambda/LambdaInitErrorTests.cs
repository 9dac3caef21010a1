using System.Text.Json;
using ReportingApi.TestSupport;
using ReportingApi.TestSupport.Lambda;

namespace ReportingApi.IntegrationTests.Lambda;

/// <summary>
/// The real app process that cannot start on Lambda (here: a setting that fails validation) reports why to
/// <c>/init/error</c> in the Runtime API's error shape and exits, instead of leaving Lambda a bare "Runtime exited".
/// </summary>
public sealed class LambdaInitErrorTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_start_that_fails_validation_is_reported_to_init_error_and_the_process_exits()
    {
        var folder = Directory.CreateTempSubdirectory("reportingapi-init-error-").FullName;
        try
        {
            await using var runtime = await FakeRuntimeApi.StartAsync();
            var environment = AppProcess.LambdaEnvironment(runtime.Address, folder);
            environment["Runs__MaxDeliveryAttempts"] = "0";
            await using var app = AppProcess.Start(AppProcess.BuiltAppAssembly(), environment);

            var reported = await Task.WhenAny(runtime.InitError, Task.Delay(StartTimeout));
            Assert.True(reported == runtime.InitError, "No /init/error within the start timeout.\n" + app.Output);
            var post = await runtime.InitError;

            var error = JsonDocument.Parse(post.Body).RootElement;
            Assert.Contains("MaxDeliveryAttempts", error.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
            Assert.Contains("OptionsValidationException", error.GetProperty("errorType").GetString(), StringComparison.Ordinal);
            Assert.Equal(error.GetProperty("errorType").GetString(), post.ErrorTypeHeader);
            Assert.DoesNotContain(TestPgpKeys.CompanyPassphrase, System.Text.Encoding.UTF8.GetString(post.Body), StringComparison.Ordinal);
            Assert.False(runtime.NextRequested.IsCompleted, "No invocation may be taken by an app that failed to start.");
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (!app.HasExited && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }

            Assert.True(app.HasExited, "The process must end after reporting the init error.\n" + app.Output);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
