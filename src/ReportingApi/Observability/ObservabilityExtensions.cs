using Microsoft.Extensions.Options;

namespace ReportingApi.Observability;

public static class ObservabilityExtensions
{
    /// <summary>
    /// JSON console logs when <c>Logging:Format</c> is <c>Json</c> (one line per entry, UTC timestamps, the Lambda
    /// request and trace ids as scope properties), and the <see cref="IRunMetrics"/> chosen by <c>Metrics:Emf</c>.
    /// Call after <c>AddRuns</c>.
    /// </summary>
    public static IServiceCollection AddObservability(this IServiceCollection services, IConfiguration configuration)
    {
        if (string.Equals(configuration[LogFormats.Key], LogFormats.Json, StringComparison.OrdinalIgnoreCase))
        {
            services.AddLogging(logging => logging.AddJsonConsole(json =>
            {
                json.IncludeScopes = true;
                json.UseUtcTimestamp = true;
                json.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
                json.JsonWriterOptions = new System.Text.Json.JsonWriterOptions { Indented = false };
            }));
        }

        services.AddSingleton<IStartupFilter, LambdaLogScopeStartupFilter>();
        services.AddOptions<MetricsOptions>().BindConfiguration(MetricsOptions.Section).ValidateOnStart();
        services.AddSingleton<IRunMetrics>(provider => provider.GetRequiredService<IOptions<MetricsOptions>>().Value.Emf
            ? new EmfRunMetrics(Console.Out, provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ILogger<EmfRunMetrics>>())
            : NoRunMetrics.Instance);
        services.AddSingleton<IInboundMetrics>(provider => provider.GetRequiredService<IOptions<MetricsOptions>>().Value.Emf
            ? new EmfInboundMetrics(Console.Out, provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ILogger<EmfInboundMetrics>>())
            : NoInboundMetrics.Instance);
        return services;
    }
}
