using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ReportingApi.Runs;

namespace ReportingApi.Tests.Infrastructure;

internal static class RunWorkerRemoval
{
    /// <summary>Takes the background run worker out, as on Lambda: runs stay where they are until a test executes them.</summary>
    public static IServiceCollection RemoveRunWorker(this IServiceCollection services)
    {
        services.Remove(services.Single(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(RunWorker)));
        return services;
    }
}
