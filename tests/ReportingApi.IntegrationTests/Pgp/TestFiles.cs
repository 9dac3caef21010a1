namespace ReportingApi.IntegrationTests.Pgp;

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
