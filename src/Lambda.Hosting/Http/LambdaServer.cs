using Lambda.Hosting.RuntimeApi;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Lambda.Hosting.Http;

/// <summary>
/// The <see cref="IServer"/> used on Lambda instead of Kestrel: it polls the Runtime API for HTTP API payload 2.0
/// events in the background and runs each through the app as a request.
/// </summary>
internal sealed class LambdaServer(
    RuntimeApiClient runtimeApi,
    IOptions<LambdaHostingOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<LambdaServer> logger) : IServer
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _pollLoop = Task.CompletedTask;

    public IFeatureCollection Features { get; } = CreateServerFeatures();

    public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
        where TContext : notnull
    {
        // Host start must complete (hosted services, ApplicationStarted), so the loop runs beside it.
        _pollLoop = Task.Run(() => PollAsync(application, _stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _pollLoop.WaitAsync(cancellationToken);
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private static FeatureCollection CreateServerFeatures()
    {
        var features = new FeatureCollection();
        // The host adds configured URLs here; they mean nothing on Lambda but must have somewhere to go.
        features.Set<IServerAddressesFeature>(new ServerAddressesFeature());
        return features;
    }

    private async Task PollAsync<TContext>(IHttpApplication<TContext> application, CancellationToken stopping)
        where TContext : notnull
    {
        while (!stopping.IsCancellationRequested)
        {
            LambdaInvocation invocation;
            try
            {
                invocation = await runtimeApi.GetNextInvocationAsync(stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Without the Runtime API this process can do nothing more; Lambda starts a new one.
                logger.LogCritical(ex, "The Lambda Runtime API did not hand out the next invocation; stopping.");
                lifetime.StopApplication();
                return;
            }

            Environment.SetEnvironmentVariable(RuntimeApiProtocol.TraceIdVariable, invocation.TraceId);
            try
            {
                await HandleAsync(application, invocation, stopping);
            }
            catch (Exception) when (stopping.IsCancellationRequested)
            {
                // Shutting down (SIGTERM): Lambda no longer waits for this invocation's answer.
                return;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Invocation {RequestId} failed in the Lambda bridge.", invocation.RequestId);
                await ReportInvocationErrorAsync(invocation, ex, stopping);
            }
        }
    }

    private async Task HandleAsync<TContext>(IHttpApplication<TContext> application, LambdaInvocation invocation, CancellationToken stopping)
        where TContext : notnull
    {
        var settings = options.Value;
        using var exchange = HttpApiExchange.Create(invocation, settings, stopping);
        var context = application.CreateContext(exchange.Features);
        Exception? appError = null;
        try
        {
            try
            {
                await application.ProcessRequestAsync(context);
            }
            catch (Exception ex)
            {
                appError = ex;
            }

            var payload = await CompleteResponseAsync(exchange.Response, appError, invocation, settings);
            await runtimeApi.PostResponseAsync(invocation.RequestId, payload, stopping);
        }
        finally
        {
            // As on Kestrel: OnCompleted runs after the response has been handed over.
            foreach (var callbackError in await exchange.Response.FireOnCompletedAsync())
            {
                logger.LogError(callbackError, "An OnCompleted callback of invocation {RequestId} failed.", invocation.RequestId);
            }

            application.DisposeContext(context, appError);
        }
    }

    private async Task<ReadOnlyMemory<byte>> CompleteResponseAsync(
        LambdaResponseFeature response, Exception? appError, LambdaInvocation invocation, LambdaHostingOptions settings)
    {
        if (appError is not null && !response.Buffer.Overflowed)
        {
            if (response.HasStarted)
            {
                // Kestrel would abort the connection; here the partial response is dropped and Lambda reports the failure.
                throw new InvalidOperationException("The app failed after the response had started.", appError);
            }

            logger.LogError(appError, "Invocation {RequestId}: an exception escaped the app; answering 500.", invocation.RequestId);
            response.ResetToServerError();
        }

        await response.CompleteAsync();
        if (HttpApiResponseWriter.TryWrite(response, settings.ResponseLimitBytes) is { } payload)
        {
            return payload;
        }

        logger.LogWarning(
            "Invocation {RequestId}: the response is larger than {LimitBytes} bytes; answering 413.",
            invocation.RequestId,
            settings.ResponseLimitBytes);
        return HttpApiResponseWriter.WriteResponseTooLarge(settings);
    }

    private async Task ReportInvocationErrorAsync(LambdaInvocation invocation, Exception error, CancellationToken stopping)
    {
        try
        {
            await runtimeApi.PostInvocationErrorAsync(invocation.RequestId, error, stopping);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            logger.LogError(ex, "Invocation {RequestId}: the error could not be reported to the Runtime API.", invocation.RequestId);
        }
    }
}
