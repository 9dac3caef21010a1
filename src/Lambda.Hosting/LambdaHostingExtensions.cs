using Lambda.Hosting.Events;
using Lambda.Hosting.Http;
using Lambda.Hosting.RuntimeApi;
using Microsoft.AspNetCore.Hosting.Server;
using Lambda.Hosting;
using Lambda.Hosting.SnapStart;
using Microsoft.Extensions.DependencyInjection.Extensions;

// In the DI namespace, like other AddXxx extensions, so Program.cs needs no extra using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration of the Lambda bridge.</summary>
public static class LambdaHostingExtensions
{
    /// <summary>Whether the process runs on AWS Lambda (<c>AWS_LAMBDA_RUNTIME_API</c> is set), so the app can choose Lambda-fit services.</summary>
    public static bool RunsOnLambda => !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(RuntimeApiProtocol.RuntimeApiVariable));

    /// <summary>
    /// On AWS Lambda (<c>AWS_LAMBDA_RUNTIME_API</c> set), serves the app through the Runtime API instead of Kestrel
    /// and reports start-up failures to it; anywhere else, changes nothing.
    /// </summary>
    public static IServiceCollection AddLambdaHosting(this IServiceCollection services)
    {
        if (!RunsOnLambda)
        {
            return services;
        }

        var runtimeApiAddress = Environment.GetEnvironmentVariable(RuntimeApiProtocol.RuntimeApiVariable)!;
        InitErrorReporter.ReportUnhandledExceptionsTo(runtimeApiAddress);
        return services.AddLambdaServer(runtimeApiAddress);
    }

    /// <summary>
    /// Replaces the app's server with one that takes events from the Runtime API at <paramref name="runtimeApiAddress"/>
    /// (host:port): API Gateway HTTP API (payload 2.0) requests go through the app, other events to the handlers
    /// registered with <see cref="LambdaEventHandlerExtensions"/>. With SnapStart
    /// (<c>AWS_LAMBDA_INITIALIZATION_TYPE=snap-start</c>) the registered SnapStart hooks run around the snapshot.
    /// Options come from the <c>LambdaHosting</c> section.
    /// </summary>
    public static IServiceCollection AddLambdaServer(this IServiceCollection services, string runtimeApiAddress)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runtimeApiAddress);
        services.AddOptions<LambdaHostingOptions>()
            .BindConfiguration(LambdaHostingOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton(_ => new RuntimeApiClient(runtimeApiAddress));
        services.AddSingleton<LambdaEventDispatcher>();
        services.AddSingleton<SnapStartHookRunner>();
        services.TryAddSingleton(_ => LambdaInitialization.FromEnvironment());
        services.RemoveAll<IServer>();
        services.AddSingleton<IServer, LambdaServer>();
        return services;
    }
}
