using System.ComponentModel.DataAnnotations;

namespace ReportingApi.Partners;

public sealed class PartnersOptions
{
    public const string Section = "Partners";

    /// <summary>
    /// How long an instance reuses a partner it looked up by client id (active, employers, allowlist, allowed reports and
    /// formats). The instance that saves a change forgets it at once; other instances (Lambda's many) see it within this.
    /// </summary>
    [Range(1, 3600)]
    public int RegistryCacheSeconds { get; set; } = 30;
}
