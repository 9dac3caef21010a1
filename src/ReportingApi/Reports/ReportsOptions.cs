using System.ComponentModel.DataAnnotations;

namespace ReportingApi.Reports;

public sealed class ReportsOptions
{
    public const string Section = "Reports";

    /// <summary>The longest period one request may cover, in days (from and to included).</summary>
    [Range(1, 3660)]
    public int MaxPeriodDays { get; set; } = 366;
}
