using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ReportingApi.Data;
using ReportingApi.Subscriptions;

namespace ReportingApi.Demo;

/// <summary>
/// How much demo data to generate. The key stays <c>Database:DemoDataContracts</c>, where configurations have always
/// set it; only the demo reads it.
/// </summary>
public sealed class DemoDataOptions
{
    public const string Section = DatabaseOptions.Section;

    /// <summary>Contracts to generate at start when the database has none (0: never generate).</summary>
    [Range(0, 10_000_000)]
    public int DemoDataContracts { get; set; }
}

/// <summary>The demo's data at start, on a migrated database: generated contract data and the demo partners in an empty database.</summary>
public sealed class DemoSetup(DbConnectionFactory connections, IOptions<DemoDataOptions> dataOptions, ILogger<DemoSetup> logger)
{
    /// <summary>Fills an empty database with <see cref="DemoDataOptions.DemoDataContracts"/> generated contracts and the demo partners.</summary>
    public async Task SeedIfEmptyAsync(CancellationToken cancellationToken)
    {
        var contracts = dataOptions.Value.DemoDataContracts;
        if (contracts <= 0)
        {
            return;
        }

        await using var connection = await connections.OpenAsync(cancellationToken);
        if (await DemoDataSeeder.IsEmptyAsync(connection))
        {
            logger.LogInformation("Generating demo data: {Contracts} contracts", contracts);
            await DemoDataSeeder.SeedAsync(connection, new DemoDataGenerator(contracts), DemoPartners.All, cancellationToken);
        }
    }
}

public static class DemoExtensions
{
    /// <summary>Demo data and the demo partners' onboarding; needs <c>AddData</c>, <c>AddPartners</c> and <c>AddPgp</c>.</summary>
    public static IServiceCollection AddDemo(this IServiceCollection services)
    {
        services.AddOptions<DemoDataOptions>().BindConfiguration(DemoDataOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<DemoOnboardingOptions>().BindConfiguration(DemoOnboardingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<DemoOnboarding>();
        services.AddSingleton<DemoSubscription>();
        services.TryAddSingleton<SubscriptionStore>();
        services.AddSingleton<DemoSetup>();
        return services;
    }

    /// <summary>
    /// After <c>InitializeDatabaseAsync</c>: generated data in an empty database (<c>Database:DemoDataContracts</c>),
    /// then the demo partners' keys and delivery folders and demo-acme's paused subscription (<c>DemoOnboarding:Enabled</c>). The onboarding is only
    /// created when enabled: it needs the company key, whose unlocking would otherwise cost every start (on Lambda the
    /// key waits for the first run).
    /// </summary>
    public static async Task PrepareDemoAsync(this WebApplication app)
    {
        var stopping = app.Lifetime.ApplicationStopping;
        await app.Services.GetRequiredService<DemoSetup>().SeedIfEmptyAsync(stopping);
        if (app.Services.GetRequiredService<IOptions<DemoOnboardingOptions>>().Value.Enabled)
        {
            await app.Services.GetRequiredService<DemoOnboarding>().RunAsync(stopping);
            await app.Services.GetRequiredService<DemoSubscription>().EnsureAsync(stopping);
        }
    }
}
