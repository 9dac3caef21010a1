using ReportingApi.Storage;

namespace ReportingApi.Tests.Storage;

public sealed class PartnerObjectKeysTests
{
    [Fact]
    public void Outbound_key_has_partner_year_month_and_file_name()
    {
        var key = PartnerObjectKeys.Outbound(42, new DateTimeOffset(2026, 3, 9, 10, 0, 0, TimeSpan.Zero), "installments_2026-02-01_2026-02-28_17.csv.pgp");

        Assert.Equal("partners/42/outbound/2026/03/installments_2026-02-01_2026-02-28_17.csv.pgp", key);
        Assert.True(ObjectKeys.IsValid(key));
    }

    [Fact]
    public void Outbound_month_is_taken_in_utc()
    {
        // 00:30 on 1 January in Berlin is still December in UTC.
        var key = PartnerObjectKeys.Outbound(3, new DateTimeOffset(2027, 1, 1, 0, 30, 0, TimeSpan.FromHours(1)), "a.csv");

        Assert.Equal("partners/3/outbound/2026/12/a.csv", key);
    }

    [Fact]
    public void Outbox_is_a_prefix_ending_with_a_slash()
    {
        Assert.Equal("partners/5/outbox/", PartnerObjectKeys.DropFolder(5));
        Assert.True(ObjectKeys.IsValid(PartnerObjectKeys.DropFolder(5) + "file.csv"));
    }

    [Theory]
    [InlineData("sub/file.csv")]
    [InlineData("..")]
    [InlineData("a\\b")]
    [InlineData("")]
    public void Outbound_rejects_anything_but_a_plain_file_name(string fileName) =>
        Assert.ThrowsAny<ArgumentException>(() => PartnerObjectKeys.Outbound(1, DateTimeOffset.UnixEpoch, fileName));

    [Fact]
    public void Partner_id_must_be_positive()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PartnerObjectKeys.DropFolder(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => PartnerObjectKeys.Outbound(-1, DateTimeOffset.UnixEpoch, "a.csv"));
    }
}
