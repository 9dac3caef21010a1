using Lambda.Hosting.Events;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ReportingApi.Hosting;
using ReportingApi.Runs;
using ReportingApi.Runs.Lambda;

namespace ReportingApi.Tests.Runs;

/// <summary>
/// The runs with <see cref="LambdaWiring.AddLambdaWiring"/> or <see cref="RunsExtensions.AddRunWorker"/>, as Program
/// chooses by <c>AWS_LAMBDA_RUNTIME_API</c>; chosen here explicitly, because setting that variable in-process would turn
/// every app the other tests start into a Lambda server.
/// </summary>
public sealed class LambdaRunsRegistrationTests
{
    [Fact]
    public void On_lambda_runs_are_invoked_asynchronously_and_no_worker_is_started()
    {
        var services = Services(onLambda: true);
        using var provider = services.BuildServiceProvider();

        var dispatcher = Assert.IsType<LambdaRunDispatcher>(provider.GetRequiredService<IRunDispatcher>());
        Assert.Equal("/2015-03-31/functions/reports-fn/invocations", dispatcher.InvokeUri?.AbsolutePath);
        Assert.DoesNotContain(provider.GetServices<IHostedService>(), service => service is RunWorker);
        Assert.Null(provider.GetService<InProcessRunDispatcher>());

        // Descriptors, not instances: the handlers need the whole app (database, renderers); the app tests resolve them.
        Assert.Contains(services, d => d.ServiceType == typeof(ILambdaEventHandler<AppInvocation>)
            && Equals(d.ServiceKey, "report-run") && d.KeyedImplementationType == typeof(ReportRunInvocationHandler));
        Assert.Contains(services, d => d.ServiceType == typeof(ILambdaEventHandler<EventBridgeEvent>)
            && Equals(d.ServiceKey, "aws.events") && d.KeyedImplementationType == typeof(RunTickHandler));
    }

    [Fact]
    public void Off_lambda_runs_go_to_the_in_process_worker_and_no_lambda_handler_is_registered()
    {
        var services = Services(onLambda: false);

        Assert.Contains(services, d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(RunWorker));
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(ILambdaEventHandler<AppInvocation>) || d.ServiceType == typeof(ILambdaEventHandler<EventBridgeEvent>));
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(LambdaRunDispatcher));
        using var provider = services.BuildServiceProvider();
        Assert.IsType<InProcessRunDispatcher>(provider.GetRequiredService<IRunDispatcher>());
    }

    private static ServiceCollection Services(bool onLambda)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Runs:Lambda:FunctionName"] = "reports-fn",
            ["Runs:Lambda:Region"] = "eu-central-1",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddRuns();
        if (onLambda)
        {
            services.AddLambdaWiring();
        }
        else
        {
            services.AddRunWorker();
        }

        return services;
    }
}
