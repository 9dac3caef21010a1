using System.IO.Compression;
using ReportingApi.Pgp;

namespace ReportingApi.IntegrationTests.Pgp;

/// <summary>Keys made once per test run by <see cref="PgpKeyGenerator"/>: the company's (signs) and a partner's (receives).</summary>
internal static class TestKeys
{
    public const string CompanyPassphrase = "company test passphrase";
    public const string PartnerPassphrase = "partner-test-passphrase";

    private static readonly PgpKeyGenerator Generator = new(TimeProvider.System);
    private static readonly Lazy<GeneratedPgpKey> CompanyKey = new(() => Generator.Generate("ReportingApi Test <reports@company.test>", CompanyPassphrase));
    private static readonly Lazy<GeneratedPgpKey> PartnerKey = new(() => Generator.Generate("Partner Test <sftp@partner.test>", PartnerPassphrase));
    private static readonly Lazy<UnlockedPgpKey> UnlockedCompanyKey = new(() => UnlockedPgpKey.Unlock(Company.ArmoredSecretKey, CompanyPassphrase, DateTimeOffset.UtcNow));
    private static readonly Lazy<PartnerPgpKey> PartnerPublicKey = new(() =>
    {
        var result = new PgpKeyValidator(TimeProvider.System).Validate(Partner.ArmoredPublicKey);
        return result.IsValid ? result.Key : throw new InvalidOperationException(result.Rejection.Message);
    });

    public static GeneratedPgpKey Company => CompanyKey.Value;

    public static GeneratedPgpKey Partner => PartnerKey.Value;

    public static UnlockedPgpKey UnlockedCompany => UnlockedCompanyKey.Value;

    public static PartnerPgpKey PartnerPublic => PartnerPublicKey.Value;

    public static PgpEncryptor Encryptor() => new(UnlockedCompany, armorByDefault: false, CompressionLevel.Fastest, TimeProvider.System);
}

internal static class TestFiles
{
    /// <summary>A report-like file: CSV rows (compressible) with a block of random bytes (incompressible) in the middle.</summary>
    public static void WriteReportLike(string path, int approximateBytes, int seed = 7)
    {
        var random = new Random(seed);
        using var file = File.Create(path);
        using (var writer = new StreamWriter(file, leaveOpen: true))
        {
            writer.NewLine = "\n";
            writer.WriteLine("contract_id,employee,employer,start,monthly_rate,status");
            for (var i = 0; file.Position < approximateBytes / 2; i++)
            {
                writer.WriteLine($"{i},Employee {random.Next(5000)},Employer {random.Next(10)},2026-{random.Next(1, 13):00}-01,{random.Next(2000, 15000) / 100m},{(i % 7 == 0 ? "ended" : "active")}");
            }
        }

        var noise = new byte[approximateBytes / 8];
        random.NextBytes(noise);
        file.Write(noise);
        using (var writer = new StreamWriter(file))
        {
            for (var i = 0; file.Position < approximateBytes; i++)
            {
                writer.Write($"{i};ümlaut-and-tab\t{random.NextDouble()}\r\n");
            }
        }
    }

    /// <summary>Compares two files byte for byte, streamed.</summary>
    public static void AssertSameContent(string expectedPath, string actualPath)
    {
        using var expected = File.OpenRead(expectedPath);
        using var actual = File.OpenRead(actualPath);
        Assert.Equal(expected.Length, actual.Length);
        var left = new byte[64 * 1024];
        var right = new byte[64 * 1024];
        long offset = 0;
        int read;
        while ((read = expected.ReadAtLeast(left, left.Length, throwOnEndOfStream: false)) > 0)
        {
            actual.ReadExactly(right, 0, read);
            var mismatch = left.AsSpan(0, read).CommonPrefixLength(right.AsSpan(0, read));
            Assert.True(mismatch == read, $"The files differ at byte {offset + mismatch}.");
            offset += read;
        }
    }
}
