namespace ReportingApi.Demo;

/// <summary>The partners the demo database starts with. Their OAuth2 clients are in appsettings.Development.json.</summary>
public static class DemoPartners
{
    public static readonly IReadOnlyList<DemoPartner> All =
    [
        new(1, "Acme Payroll Services", "demo-acme", [1, 2, 3, 4], null),
        new(2, "Northwind HR", "demo-northwind", [5, 6, 7, 8], null),
        new(3, "Contoso Benefits", "demo-contoso", [9, 10], "127.0.0.0/8, ::1/128"),
    ];
}

public sealed record DemoPartner(int Id, string Name, string ClientId, IReadOnlyList<int> EmployerIds, string? IpAllowlist);
