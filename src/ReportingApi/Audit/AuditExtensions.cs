namespace ReportingApi.Audit;

public static class AuditExtensions
{
    /// <summary>The audit trail (<see cref="AuditTrail"/>) and its append-only store.</summary>
    public static IServiceCollection AddAudit(this IServiceCollection services)
    {
        services.AddSingleton<AuditStore>();
        services.AddSingleton<AuditTrail>();
        return services;
    }
}
