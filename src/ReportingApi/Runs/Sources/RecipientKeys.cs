using ReportingApi.Partners;
using ReportingApi.Pgp;

namespace ReportingApi.Runs.Sources;

/// <summary>The partner's key that files are encrypted to, checked again at every run: it may have expired since it was stored.</summary>
public sealed class RecipientKeys(PgpKeyValidator validator)
{
    public PartnerPgpKey UsableKey(PartnerProfile partner)
    {
        var validation = validator.Validate(partner.PgpPublicKey ?? throw new RunStepException("The partner has no PGP key.", transient: false));
        return validation.IsValid
            ? validation.Key
            : throw new RunStepException($"The partner's PGP key can no longer be used: {validation.Rejection.Message}", transient: false);
    }
}
