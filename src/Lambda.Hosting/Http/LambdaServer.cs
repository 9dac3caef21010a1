using Lambda.Hosting.Events;
using Lambda.Hosting.RuntimeApi;
using Lambda.Hosting.SnapStart;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Lambda.Hosting.Http;

/// <summary>
/// The <see cref="IServer"/> used on Lambda instead of Kestrel: it polls the Runtime API for events in the background,
/// runs HTTP API payload 2.0 events through the app as requests and hands other events to their registered handlers.
/// With SnapStart, the hooks and the restore wait come first.
/// </summary>
internal sealed class LambdaServer(
    RuntimeApiClient runtimeApi,
    LambdaEventDispatcher eventDispatcher,
    SnapStartHookRunner snapStartHooks,
    LambdaInitialization initialization,
    IOptions<LambdaHostingOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<LambdaServer> logger,
    ILoggerFactory loggerFactory) : IServer
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
        if (initialization.IsSnapStart && !await PrepareSnapStartAsync(stopping))
        {
            return;
        }

        MarkFirst("Runtime API polled");
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
            MarkFirst("first invocation fetched");
            try
            {
                await RouteAsync(application, invocation, stopping);
                MarkFirst("response posted");
                ReportStartupOnce();
            }
            catch (Exception) when (stopping.IsCancellationRequested)
            {
                // Shutting down (SIGTERM): Lambda no longer waits for this invocation's answer.
                return;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Invocation {RequestId} failed.", invocation.RequestId);
                await ReportInvocationErrorAsync(invocation, ex, stopping);
            }
        }
    }

    /// <summary>
    /// SnapStart: once the host has started, warm up, wait for the restore, then refresh. False when the process
    /// must not go on to take invocations (stopping, or a failure that has been reported).
    /// </summary>
    private async Task<bool> PrepareSnapStartAsync(CancellationToken stopping)
    {
        try
        {
            await WaitForHostStartedAsync(stopping);
            if (!await RunSnapStartPhaseAsync(snapStartHooks.RunBeforeSnapshotAsync, runtimeApi.PostInitErrorAsync, "before the snapshot", stopping))
            {
                return false;
            }

            await runtimeApi.WaitForRestoreAsync(stopping);
            return await RunSnapStartPhaseAsync(snapStartHooks.RunAfterRestoreAsync, runtimeApi.PostRestoreErrorAsync, "after the restore", stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return false;
        }
        catch (HttpRequestException ex)
        {
            logger.LogCritical(ex, "The Lambda Runtime API did not signal the SnapStart restore; stopping.");
            lifetime.StopApplication();
            return false;
        }
    }

    private async Task WaitForHostStartedAsync(CancellationToken stopping)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(stopping);
    }

    private async Task<bool> RunSnapStartPhaseAsync(
        Func<CancellationToken, Task> runHooks, Func<Exception, CancellationToken, Task> reportError, string phase, CancellationToken stopping)
    {
        try
        {
            await runHooks(stopping);
            return true;
        }
        catch (Exception) when (stopping.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception ex)
        {
            logger.LogCritical(ex, "A SnapStart hook failed {Phase}; stopping.", phase);
            try
            {
                await reportError(ex, stopping);
            }
            catch (Exception reportFailure) when (reportFailure is HttpRequestException or OperationCanceledException)
            {
                logger.LogError(reportFailure, "The SnapStart hook failure could not be reported to the Runtime API.");
            }

            lifetime.StopApplication();
            return false;
        }
    }

    private async Task RouteAsync<TContext>(IHttpApplication<TContext> application, LambdaInvocation invocation, CancellationToken stopping)
        where TContext : notnull
    {
        var root = LambdaEventParser.ParseRoot(invocation.Event.Span);
        var kind = LambdaEventParser.Classify(root);
        if (kind == LambdaEventKind.HttpApi)
        {
            await HandleAsync(application, invocation, stopping);
            return;
        }

        var payload = await eventDispatcher.DispatchAsync(kind, root, invocation, stopping);
        await runtimeApi.PostResponseAsync(invocation.RequestId, payload, stopping);
    }

    private async Task HandleAsync<TContext>(IHttpApplication<TContext> application, LambdaInvocation invocation, CancellationToken stopping)
        where TContext : notnull
    {
        var settings = options.Value;
        using var exchange = HttpApiExchange.Create(invocation, settings, stopping);
        var context = application.CreateContext(exchange.Features);
        MarkFirst("event to HttpContext");
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

            MarkFirst("app's request pipeline");
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

    /// <summary>Marks a phase of the first invocation; once the timeline is reported, marks are ignored.</summary>
    private static void MarkFirst(string phase) => StartupTimeline.Current.Complete(phase);

    /// <summary>After the first invocation: where the cold start's time went (<see cref="StartupTimeline"/>; it reports once).</summary>
    private void ReportStartupOnce()
    {
        if (StartupTimeline.Current.TakeReport() is { } report)
        {
            loggerFactory.CreateLogger(typeof(StartupTimeline).FullName!).LogInformation("{StartupTimeline}", report);
        }
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
