namespace ReportingApi.Reports.Rendering;

public static class RenderingExtensions
{
    public static IServiceCollection AddRendering(this IServiceCollection services)
    {
        services.AddSingleton<IReportRenderer, CsvReportRenderer>();
        services.AddSingleton<IReportRenderer, XlsxReportRenderer>();
        services.AddSingleton<IReportRenderer, JsonReportRenderer>();
        services.AddSingleton<ReportRenderers>();
        return services;
    }
}

/// <summary>The renderer for each format.</summary>
public sealed class ReportRenderers(IEnumerable<IReportRenderer> renderers)
{
    private readonly Dictionary<ReportFormat, IReportRenderer> _byFormat = renderers.ToDictionary(renderer => renderer.Format);

    public IReportRenderer For(ReportFormat format) => _byFormat[format];
}
