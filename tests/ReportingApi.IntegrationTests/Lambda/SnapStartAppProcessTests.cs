using ReportingApi.TestSupport;
using ReportingApi.TestSupport.Lambda;

namespace ReportingApi.IntegrationTests.Lambda;

/// <summary>
/// The real app process started as Lambda starts a SnapStart function (<c>AWS_LAMBDA_INITIALIZATION_TYPE=snap-start</c>):
/// the app's hooks run before <c>/restore/next</c> and after the restore, then the invocation loop begins.
/// </summary>
public sealed class SnapStartAppProcessTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task With_snapstart_the_app_warms_up_before_the_snapshot_and_refreshes_after_the_restore()
    {
        var folder = Directory.CreateTempSubdirectory("reportingapi-snapstart-e2e-").FullName;
        try
        {
            await using var runtime = await FakeRuntimeApi.StartAsync();
            var environment = AppProcess.LambdaEnvironment(runtime.Address, folder);
            environment["AWS_LAMBDA_INITIALIZATION_TYPE"] = "snap-start";
            environment["Database__DemoDataContracts"] = "300";
            await using var app = AppProcess.Start(AppProcess.BuiltAppAssembly(), environment);

            await app.WaitUntilAsync(runtime.RestoreRequested, StartTimeout);
            var beforeRestore = await app.OutputOnceItContainsAsync("SnapStart warm-up: cleared the database connection pools", Wait);
            Assert.Contains("SnapStart warm-up: opened a Sqlite database connection and closed it.", beforeRestore, StringComparison.Ordinal);
            Assert.Contains("SnapStart warm-up: rendered a one-row report as csv, xlsx, json.", beforeRestore, StringComparison.Ordinal);
            Assert.Contains("SnapStart warm-up: cleared the database connection pools", beforeRestore, StringComparison.Ordinal);
            Assert.DoesNotContain("SnapStart restore:", beforeRestore, StringComparison.Ordinal);

            runtime.Restore();
            await app.WaitUntilAsync(runtime.NextRequested, Wait);
            var afterRestore = await app.OutputOnceItContainsAsync("SnapStart restore: dropped 3 cached partners", Wait);
            Assert.Contains("SnapStart restore: cleared the database connection pools", afterRestore, StringComparison.Ordinal);
            Assert.Contains("SnapStart restore: dropped the cached secrets (Files)", afterRestore, StringComparison.Ordinal);
            Assert.Contains("SnapStart restore: dropped the resolved AWS credentials", afterRestore, StringComparison.Ordinal);
            Assert.Contains("SnapStart restore: dropped 3 cached partners from the partner registry.", afterRestore, StringComparison.Ordinal);

            var response = PayloadResponse.From(await runtime.InvokeAsync(LambdaEvents.AnonymousGet("/health/ready")));
            Assert.Equal(200, response.StatusCode);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
