using System.IO.Compression;
using ReportingApi.Pgp;

namespace ReportingApi.Tests.Pgp;

/// <summary>Keys made once per test run by <see cref="PgpKeyGenerator"/>: the company's (signs) and a partner's (receives).</summary>
internal static class TestKeys
{
    public const string CompanyPassphrase = "company test passphrase";
    public const string PartnerPassphrase = "partner-test-passphrase";

    private static readonly PgpKeyGenerator Generator = new(TimeProvider.System);
    private static readonly Lazy<GeneratedPgpKey> CompanyKey = new(() => Generator.Generate("ReportingApi Test <reports@company.test>", CompanyPassphrase));
    private static readonly Lazy<GeneratedPgpKey> PartnerKey = new(() => Generator.Generate("Partner Test <sftp@partner.test>", PartnerPassphrase));
    private static readonly Lazy<UnlockedPgpKey> UnlockedCompanyKey = new(() => UnlockedPgpKey.Unlock(Company.ArmoredSecretKey, CompanyPassphrase, DateTimeOffset.UtcNow));
    private static readonly Lazy<UnlockedPgpKey> UnlockedPartnerKey = new(() => UnlockedPgpKey.Unlock(Partner.ArmoredSecretKey, PartnerPassphrase, DateTimeOffset.UtcNow));
    private static readonly Lazy<PartnerPgpKey> PartnerPublicKey = new(() =>
    {
        var result = new PgpKeyValidator(TimeProvider.System).Validate(Partner.ArmoredPublicKey);
        return result.IsValid ? result.Key : throw new InvalidOperationException(result.Rejection.Message);
    });

    public static GeneratedPgpKey Company => CompanyKey.Value;

    public static GeneratedPgpKey Partner => PartnerKey.Value;

    public static UnlockedPgpKey UnlockedCompany => UnlockedCompanyKey.Value;

    public static UnlockedPgpKey UnlockedPartner => UnlockedPartnerKey.Value;

    public static PartnerPgpKey PartnerPublic => PartnerPublicKey.Value;

    public static PgpEncryptor Encryptor(bool armorByDefault = false) => new(UnlockedCompany, armorByDefault, CompressionLevel.Fastest, TimeProvider.System);
}

internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
