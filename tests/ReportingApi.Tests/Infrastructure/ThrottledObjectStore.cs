using Microsoft.Extensions.DependencyInjection;
using ReportingApi.Storage;

namespace ReportingApi.Tests.Infrastructure;

/// <summary>
/// The app's object store with slow reads: every read returns at most <paramref name="bytesPerRead"/> bytes after
/// <paramref name="delayPerRead"/>, so that a delivery copying a file out of the store takes a while and can be
/// watched. Writes and everything else go straight through.
/// </summary>
internal sealed class ThrottledObjectStore(IObjectStore inner, int bytesPerRead, TimeSpan delayPerRead) : IObjectStore
{
    /// <summary>Wraps the app's registered <see cref="IObjectStore"/>, however it was registered.</summary>
    public static void Replace(IServiceCollection services, int bytesPerRead, TimeSpan delayPerRead)
    {
        var registered = services.Last(d => d.ServiceType == typeof(IObjectStore));
        services.Remove(registered);
        services.AddSingleton<IObjectStore>(provider => new ThrottledObjectStore(
            (IObjectStore)(registered.ImplementationInstance
                ?? registered.ImplementationFactory?.Invoke(provider)
                ?? ActivatorUtilities.CreateInstance(provider, registered.ImplementationType!)),
            bytesPerRead,
            delayPerRead));
    }

    public Task<long> PutAsync(string key, Stream content, string contentType, CancellationToken cancellationToken) =>
        inner.PutAsync(key, content, contentType, cancellationToken);

    public async Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken) =>
        new ThrottledReadStream(await inner.OpenReadAsync(key, cancellationToken), bytesPerRead, delayPerRead);

    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken) => inner.ExistsAsync(key, cancellationToken);

    public Task CopyAsync(string sourceKey, string destinationKey, CancellationToken cancellationToken) =>
        inner.CopyAsync(sourceKey, destinationKey, cancellationToken);

    public Task DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);

    private sealed class ThrottledReadStream(Stream inner, int bytesPerRead, TimeSpan delayPerRead) : ReportingApi.TestSupport.ForwardOnlyReadStream
    {
        public override int Read(byte[] buffer, int offset, int count)
        {
            Thread.Sleep(delayPerRead);
            return inner.Read(buffer, offset, Math.Min(count, bytesPerRead));
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Delay(delayPerRead, cancellationToken);
            return await inner.ReadAsync(buffer[..Math.Min(buffer.Length, bytesPerRead)], cancellationToken);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync();
            await base.DisposeAsync();
        }
    }
}
