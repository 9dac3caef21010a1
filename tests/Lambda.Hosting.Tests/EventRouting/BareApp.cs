using Lambda.Hosting.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Lambda.Hosting.Tests.EventRouting;

/// <summary>An app on the Lambda server with no event handlers at all.</summary>
public sealed class BareApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private BareApp(WebApplication app) => _app = app;

    public IHostApplicationLifetime Lifetime => _app.Lifetime;

    public static async Task<BareApp> StartAsync(FakeRuntimeApi runtime, Action<IServiceCollection>? configure = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddLambdaServer(runtime.Address);
        configure?.Invoke(builder.Services);
        var app = builder.Build();
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(10));
        return new BareApp(app);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
