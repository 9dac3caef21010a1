using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using ReportingApi.Data;

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

/// <summary>
/// The demo at start, on a migrated database: generated contract data and the demo partners in an empty database
/// (<c>Database:DemoDataContracts</c>), then the demo partners' keys and delivery folders (<c>DemoOnboarding:Enabled</c>).
/// </summary>
public sealed class DemoSetup(
    DbConnectionFactory connections,
    DemoOnboarding onboarding,
    IOptions<DemoDataOptions> dataOptions,
    IOptions<DemoOnboardingOptions> onboardingOptions,
    ILogger<DemoSetup> logger)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await SeedIfEmptyAsync(cancellationToken);
        if (onboardingOptions.Value.Enabled)
        {
            await onboarding.RunAsync(cancellationToken);
        }
    }

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
        services.AddSingleton<DemoSetup>();
        return services;
    }

    /// <summary>Runs <see cref="DemoSetup"/>; after <c>InitializeDatabaseAsync</c>.</summary>
    public static Task PrepareDemoAsync(this WebApplication app) =>
        app.Services.GetRequiredService<DemoSetup>().RunAsync(app.Lifetime.ApplicationStopping);
}
