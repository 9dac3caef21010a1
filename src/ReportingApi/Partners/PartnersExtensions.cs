namespace ReportingApi.Partners;

public static class PartnersExtensions
{
    public static IServiceCollection AddPartners(this IServiceCollection services)
    {
        services.AddOptions<PartnersOptions>().BindConfiguration(PartnersOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddMemoryCache();
        services.AddSingleton<PartnerRegistry>();
        services.AddSingleton<PartnerStore>();
        return services;
    }
}
