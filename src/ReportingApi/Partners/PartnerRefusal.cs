namespace ReportingApi.Partners;

/// <summary>Why a partner's request cannot be served as asked.</summary>
public enum PartnerRefusalReason
{
    /// <summary>The partner's agreement does not include the report.</summary>
    ReportNotAllowed,

    /// <summary>The partner's agreement does not include the format.</summary>
    FormatNotAllowed,

    /// <summary>Onboarding is not complete: no PGP key or no delivery target.</summary>
    NotConfigured,
}

/// <summary>A refusal as the domain states it; endpoints turn it into a problem (<see cref="PartnerProblems"/>).</summary>
/// <param name="Detail">What is refused and why, fit for the partner's eyes.</param>
public sealed record PartnerRefusal(PartnerRefusalReason Reason, string Detail);
