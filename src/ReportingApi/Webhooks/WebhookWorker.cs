using Microsoft.Extensions.Options;

namespace ReportingApi.Webhooks;

/// <summary>Wakes the <see cref="WebhookWorker"/> when an event is stored, so it is sent at once rather than at the next poll.</summary>
public sealed class WebhookSendSignal : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: the worker looks once for everything stored meanwhile.
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);

    public void Dispose() => _signal.Dispose();
}

/// <summary>
/// Off Lambda: sends due webhook events in the background. Each endpoint is served by its own task, at most
/// <see cref="WebhooksOptions.MaxParallelEndpoints"/> at once; the loop does not wait for them, so an endpoint that
/// takes its full timeout never holds up the others' events.
/// </summary>
public sealed class WebhookWorker(
    WebhookDispatcher dispatcher, WebhookCatchUp catchUp, WebhookSendSignal signal, IOptions<WebhooksOptions> options, TimeProvider clock, ILogger<WebhookWorker> logger) : BackgroundService
{
    private readonly Dictionary<int, Task> _inFlight = [];
    private DateTimeOffset _nextCatchUp = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await CatchUpAsync(stoppingToken);
                await StartDueAsync(stoppingToken);
                await signal.WaitAsync(options.Value.PollInterval, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: pending events stay stored and are sent after the next start.
        }

        await Task.WhenAll(_inFlight.Values);
    }

    private async Task CatchUpAsync(CancellationToken stoppingToken)
    {
        if (clock.GetUtcNow() < _nextCatchUp)
        {
            return;
        }

        _nextCatchUp = clock.GetUtcNow() + options.Value.CatchUpInterval;
        try
        {
            if (await catchUp.StoreMissedAsync(stoppingToken) is > 0 and var missed)
            {
                logger.LogWarning("Stored the webhook events of {Missed} ended runs that had none (an interrupted listener)", missed);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Looking for ended runs without their webhook event failed; trying again later");
        }
    }

    private async Task StartDueAsync(CancellationToken stoppingToken)
    {
        foreach (var done in _inFlight.Where(pair => pair.Value.IsCompleted).Select(pair => pair.Key).ToList())
        {
            _inFlight.Remove(done);
        }

        IReadOnlyList<IGrouping<int, DueWebhookEvent>> groups;
        try
        {
            groups = await dispatcher.DueByEndpointAsync(stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Looking for due webhook events failed; trying again at the next poll");
            return;
        }

        foreach (var group in groups.Where(g => !_inFlight.ContainsKey(g.Key)))
        {
            if (_inFlight.Count >= options.Value.MaxParallelEndpoints)
            {
                break;
            }

            _inFlight[group.Key] = SendAsync(group.Key, [.. group], stoppingToken);
        }
    }

    private async Task SendAsync(int partnerId, IReadOnlyList<DueWebhookEvent> due, CancellationToken stoppingToken)
    {
        try
        {
            await dispatcher.SendToEndpointAsync(partnerId, due, DateTimeOffset.MaxValue, stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            logger.LogWarning(e, "Sending webhook events to partner {PartnerId} failed; they are tried again at their due time", partnerId);
        }
    }
}
