namespace ReportingApi.Partners;

public static class PartnersExtensions
{
    public static IServiceCollection AddPartners(this IServiceCollection services)
    {
        services.AddMemoryCache();
        services.AddSingleton<PartnerRegistry>();
        services.AddSingleton<PartnerStore>();
        return services;
    }
}
