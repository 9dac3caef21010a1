using Lambda.Hosting.SnapStart;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration of SnapStart hooks (they only run on Lambda with SnapStart).</summary>
public static class LambdaSnapStartExtensions
{
    /// <summary>Adds <typeparamref name="THooks"/> (scoped) to the hooks run before the snapshot and after a restore.</summary>
    public static IServiceCollection AddLambdaSnapStartHooks<THooks>(this IServiceCollection services)
        where THooks : class, ILambdaSnapStartHooks =>
        services.AddScoped<ILambdaSnapStartHooks, THooks>();
}
