using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ReportingApi.TestSupport.Aws;

/// <summary>A stand-in for a remote service on a loopback port of its own; subclasses answer in <see cref="HandleAsync"/>.</summary>
public abstract class LoopbackFake : IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>The fake's base address, ending in '/'.</summary>
    public Uri Url { get; private set; } = null!;

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Starts <paramref name="fake"/> on a free loopback port: plain HTTP, or HTTPS with <paramref name="certificate"/>.</summary>
    protected static async Task<TFake> StartAsync<TFake>(TFake fake, X509Certificate2? certificate = null)
        where TFake : LoopbackFake
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            if (certificate is not null)
            {
                listen.UseHttps(certificate);
            }
        }));
        var app = builder.Build();
        app.Run(fake.HandleAsync);
        await app.StartAsync();
        fake._app = app;
        fake.Url = new Uri(app.Urls.First() + "/");
        return fake;
    }

    protected abstract Task HandleAsync(HttpContext context);
}
