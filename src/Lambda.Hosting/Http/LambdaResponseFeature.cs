using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Lambda.Hosting.Http;

/// <summary>Response side of one invocation: status, headers, buffered body and the start/complete callbacks.</summary>
internal sealed class LambdaResponseFeature : IHttpResponseFeature, IHttpResponseBodyFeature
{
    private readonly Stack<(Func<object, Task> Callback, object State)> _onStarting = new();
    private readonly Stack<(Func<object, Task> Callback, object State)> _onCompleted = new();
    private readonly Func<string?, long> _capacityForContentType;
    private PipeWriter? _writer;
    private Task? _starting;

    public LambdaResponseFeature(Func<string?, long> capacityForContentType, Action onOverflow)
    {
        _capacityForContentType = capacityForContentType;
        Buffer = new ResponseBodyBuffer(StartAsync, onOverflow);
        Body = Buffer;
    }

    public ResponseBodyBuffer Buffer { get; }

    public int StatusCode { get; set; } = StatusCodes.Status200OK;
    public string? ReasonPhrase { get; set; }
    public IHeaderDictionary Headers { get; set; } = new HeaderDictionary();
    public Stream Body { get; set; }
    public bool HasStarted { get; private set; }

    public Stream Stream => Buffer;
    public PipeWriter Writer => _writer ??= PipeWriter.Create(Buffer, new StreamPipeWriterOptions(leaveOpen: true));

    public void OnStarting(Func<object, Task> callback, object state)
    {
        if (HasStarted)
        {
            throw new InvalidOperationException("The response has already started.");
        }

        _onStarting.Push((callback, state));
    }

    public void OnCompleted(Func<object, Task> callback, object state) => _onCompleted.Push((callback, state));

    public Task StartAsync(CancellationToken cancellationToken = default) => _starting ??= FireOnStartingAsync();

    public async Task CompleteAsync()
    {
        await StartAsync();
        if (_writer is not null)
        {
            await _writer.CompleteAsync();
        }
    }

    public void DisableBuffering()
    {
    }

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
        SendFileFallback.SendFileAsync(Buffer, path, offset, count, cancellationToken);

    /// <summary>An exception escaped the app before anything was sent: answer 500 with no body, as Kestrel does.</summary>
    public void ResetToServerError()
    {
        StatusCode = StatusCodes.Status500InternalServerError;
        ReasonPhrase = null;
        Headers.Clear();
        Buffer.Clear();
    }

    /// <summary>Runs the OnCompleted callbacks (last registered first); a failing one does not stop the others.</summary>
    public async Task<IReadOnlyList<Exception>> FireOnCompletedAsync()
    {
        var errors = new List<Exception>();
        while (_onCompleted.TryPop(out var entry))
        {
            try
            {
                await entry.Callback(entry.State);
            }
            catch (Exception ex)
            {
                errors.Add(ex);
            }
        }

        return errors;
    }

    private async Task FireOnStartingAsync()
    {
        while (_onStarting.TryPop(out var entry))
        {
            await entry.Callback(entry.State);
        }

        HasStarted = true;
        Buffer.LimitTo(_capacityForContentType(Headers.ContentType));
    }
}
