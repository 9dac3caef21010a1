using Microsoft.Extensions.DependencyInjection;

namespace Lambda.Hosting.SnapStart;

/// <summary>Runs the registered <see cref="ILambdaSnapStartHooks"/> of one phase, in order, in one DI scope.</summary>
internal sealed class SnapStartHookRunner(IServiceScopeFactory scopeFactory)
{
    public Task RunBeforeSnapshotAsync(CancellationToken cancellationToken) =>
        RunAsync((hooks, token) => hooks.BeforeSnapshotAsync(token), cancellationToken);

    public Task RunAfterRestoreAsync(CancellationToken cancellationToken) =>
        RunAsync((hooks, token) => hooks.AfterRestoreAsync(token), cancellationToken);

    private async Task RunAsync(Func<ILambdaSnapStartHooks, CancellationToken, Task> phase, CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        foreach (var hooks in scope.ServiceProvider.GetServices<ILambdaSnapStartHooks>())
        {
            await phase(hooks, cancellationToken);
        }
    }
}
