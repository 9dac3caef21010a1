namespace ReportingApi.Reports;

public static class ReportsExtensions
{
    public static IServiceCollection AddReports(this IServiceCollection services)
    {
        services.AddOptions<ReportsOptions>().BindConfiguration(ReportsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ReportReader>();
        return services;
    }
}
