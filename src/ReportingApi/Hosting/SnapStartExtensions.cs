using Microsoft.Extensions.DependencyInjection.Extensions;
using ReportingApi.Partners;
using ReportingApi.Reports.Rendering;

namespace ReportingApi.Hosting;

public static class SnapStartExtensions
{
    /// <summary>
    /// The app's <see cref="AppSnapStartHooks"/>. The Lambda bridge runs them only with SnapStart
    /// (<c>AWS_LAMBDA_INITIALIZATION_TYPE=snap-start</c>); they need <c>AddData</c>, <c>AddPartners</c>, <c>AddPgp</c>
    /// and <c>AddRendering</c>. Safe to call more than once.
    /// </summary>
    public static IServiceCollection AddAppSnapStartHooks(this IServiceCollection services)
    {
        if (services.Any(d => d.ImplementationType == typeof(AppSnapStartHooks)))
        {
            return services;
        }

        services.TryAddSingleton<SnapStartWarmedPartners>();
        services.AddLambdaSnapStartHooks<AppSnapStartHooks>();
        return services;
    }
}
