using System.Text.Json;
using Lambda.Hosting.SnapStart;
using Lambda.Hosting.Tests.EventRouting;
using Lambda.Hosting.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Lambda.Hosting.Tests.SnapStart;

/// <summary>Notes each phase in the fake runtime's timeline, and whether the host had started by then.</summary>
public abstract class NotingHooks(FakeRuntimeApi runtime, IHostApplicationLifetime lifetime, string name) : ILambdaSnapStartHooks
{
    public virtual Task BeforeSnapshotAsync(CancellationToken cancellationToken)
    {
        runtime.Note($"{name}: before snapshot (host started: {lifetime.ApplicationStarted.IsCancellationRequested})");
        return Task.CompletedTask;
    }

    public virtual Task AfterRestoreAsync(CancellationToken cancellationToken)
    {
        runtime.Note($"{name}: after restore");
        return Task.CompletedTask;
    }
}

public sealed class WarmUpHooks(FakeRuntimeApi runtime, IHostApplicationLifetime lifetime) : NotingHooks(runtime, lifetime, "warm-up");

public sealed class CredentialsHooks(FakeRuntimeApi runtime, IHostApplicationLifetime lifetime) : NotingHooks(runtime, lifetime, "credentials");

public sealed class FailingAfterRestoreHooks(FakeRuntimeApi runtime, IHostApplicationLifetime lifetime) : NotingHooks(runtime, lifetime, "failing")
{
    public override Task AfterRestoreAsync(CancellationToken cancellationToken) =>
        throw new TimeoutException("The credentials endpoint did not answer.");
}

public sealed class FailingBeforeSnapshotHooks(FakeRuntimeApi runtime, IHostApplicationLifetime lifetime) : NotingHooks(runtime, lifetime, "failing")
{
    public override Task BeforeSnapshotAsync(CancellationToken cancellationToken) =>
        throw new InvalidOperationException("Warm-up query failed.");
}

public sealed class SnapStartTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static Task<BareApp> StartAsync(FakeRuntimeApi runtime, bool snapStart, params Action<IServiceCollection>[] hooks) =>
        BareApp.StartAsync(runtime, services =>
        {
            services.AddSingleton(runtime);
            services.AddSingleton(new LambdaInitialization(snapStart));
            foreach (var register in hooks)
            {
                register(services);
            }
        });

    private static void AssertLambdaError(RuntimePost post, string path, string type, string message)
    {
        Assert.Equal(path, post.Path);
        Assert.Equal("application/json", post.ContentType);
        Assert.Equal(type, post.ErrorTypeHeader);
        var error = JsonDocument.Parse(post.Body).RootElement;
        Assert.Equal(type, error.GetProperty("errorType").GetString());
        Assert.Equal(message, error.GetProperty("errorMessage").GetString());
        Assert.Equal(JsonValueKind.Array, error.GetProperty("stackTrace").ValueKind);
    }

    [Fact]
    public async Task Hooks_run_before_restore_next_after_restore_hooks_after_it_then_the_invocation_loop()
    {
        await using var runtime = await FakeRuntimeApi.StartAsync();
        await using var app = await StartAsync(
            runtime, snapStart: true, s => s.AddLambdaSnapStartHooks<WarmUpHooks>(), s => s.AddLambdaSnapStartHooks<CredentialsHooks>());

        await runtime.RestoreRequested.WaitAsync(Wait);
        Assert.Equal(
            ["warm-up: before snapshot (host started: True)", "credentials: before snapshot (host started: True)", "runtime: restore/next requested"],
            runtime.Timeline);

        runtime.Restore();
        await runtime.NextRequested.WaitAsync(Wait);
        Assert.Equal(
            [
                "warm-up: before snapshot (host started: True)",
                "credentials: before snapshot (host started: True)",
                "runtime: restore/next requested",
                "runtime: restored",
                "warm-up: after restore",
                "credentials: after restore",
                "runtime: next requested",
            ],
            runtime.Timeline);
        Assert.Equal("error", (await runtime.InvokeAsync("""{"kind":"anything"}""")).Kind);
    }

    [Fact]
    public async Task A_failing_after_restore_hook_is_posted_to_restore_error_and_no_invocation_is_taken()
    {
        await using var runtime = await FakeRuntimeApi.StartAsync();
        await using var app = await StartAsync(runtime, snapStart: true, s => s.AddLambdaSnapStartHooks<FailingAfterRestoreHooks>());

        await runtime.RestoreRequested.WaitAsync(Wait);
        runtime.Restore();

        var post = await runtime.RestoreError.WaitAsync(Wait);
        AssertLambdaError(post, "/2018-06-01/runtime/restore/error", nameof(TimeoutException), "The credentials endpoint did not answer.");
        await WaitForStoppingAsync(app);
        Assert.DoesNotContain("runtime: next requested", runtime.Timeline);
    }

    [Fact]
    public async Task A_failing_before_snapshot_hook_is_posted_to_init_error_and_restore_is_never_awaited()
    {
        await using var runtime = await FakeRuntimeApi.StartAsync();
        await using var app = await StartAsync(runtime, snapStart: true, s => s.AddLambdaSnapStartHooks<FailingBeforeSnapshotHooks>());

        var post = await runtime.InitError.WaitAsync(Wait);
        AssertLambdaError(post, "/2018-06-01/runtime/init/error", nameof(InvalidOperationException), "Warm-up query failed.");
        await WaitForStoppingAsync(app);
        Assert.Equal(["runtime: init-error posted"], runtime.Timeline);
    }

    [Fact]
    public async Task Without_SnapStart_no_hook_runs_and_the_loop_starts_at_once()
    {
        await using var runtime = await FakeRuntimeApi.StartAsync();
        await using var app = await StartAsync(runtime, snapStart: false, s => s.AddLambdaSnapStartHooks<WarmUpHooks>());

        await runtime.NextRequested.WaitAsync(Wait);
        Assert.Equal(["runtime: next requested"], runtime.Timeline);
    }

    [Fact]
    public void SnapStart_is_read_from_AWS_LAMBDA_INITIALIZATION_TYPE()
    {
        var previous = Environment.GetEnvironmentVariable(LambdaInitialization.InitializationTypeVariable);
        try
        {
            Environment.SetEnvironmentVariable(LambdaInitialization.InitializationTypeVariable, "snap-start");
            Assert.True(LambdaInitialization.FromEnvironment().IsSnapStart);
            Environment.SetEnvironmentVariable(LambdaInitialization.InitializationTypeVariable, "on-demand");
            Assert.False(LambdaInitialization.FromEnvironment().IsSnapStart);
        }
        finally
        {
            Environment.SetEnvironmentVariable(LambdaInitialization.InitializationTypeVariable, previous);
        }
    }

    private static async Task WaitForStoppingAsync(BareApp app)
    {
        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = app.Lifetime.ApplicationStopping.Register(() => stopping.TrySetResult());
        await stopping.Task.WaitAsync(Wait);
    }
}
