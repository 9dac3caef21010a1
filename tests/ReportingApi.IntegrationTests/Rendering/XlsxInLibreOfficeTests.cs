using System.Diagnostics;
using System.Globalization;
using CsvHelper;
using ReportingApi.TestSupport;

namespace ReportingApi.IntegrationTests.Rendering;

/// <summary>Our XLSX files, opened by a real spreadsheet program (LibreOffice Calc, headless), hold the values of the CSV.</summary>
public sealed class XlsxInLibreOfficeTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("reportingapi-libreoffice-").FullName;

    [Theory]
    [InlineData("contracts")]
    [InlineData("installments")]
    public async Task LibreOffice_reads_the_same_values_as_the_csv(string report)
    {
        using var factory = new ReportingApiFactory(new Dictionary<string, string?>
        {
            ["Database:ConnectionString"] = $"Data Source={Path.Combine(_folder, "reports.db")}",
            ["Database:DemoDataContracts"] = "800",
        });
        using var client = await factory.CreateClientForAsync(DemoClients.Acme);
        var query = $"/v1/reports/{report}?from=2026-01-01&to=2026-03-31&format=";
        var csv = await client.GetByteArrayAsync(query + "csv");
        await File.WriteAllBytesAsync(Path.Combine(_folder, $"{report}.xlsx"), await client.GetByteArrayAsync(query + "xlsx"));

        // Export as CSV with raw (unformatted) cell values, UTF-8, comma separated.
        var converted = await ConvertWithLibreOfficeAsync(Path.Combine(_folder, $"{report}.xlsx"));

        var expected = Read(csv);
        var actual = Read(await File.ReadAllBytesAsync(converted));
        Assert.True(expected.Count > 10);
        Assert.Equal(expected.Count, actual.Count);
        for (var row = 1; row < expected.Count; row++)
        {
            for (var column = 0; column < expected[row].Length; column++)
            {
                Assert.True(SameValue(expected[row][column], actual[row][column]), $"row {row}, column {expected[0][column]}: CSV '{expected[row][column]}', LibreOffice '{actual[row][column]}'");
            }
        }
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    // Numbers compare as numbers (LibreOffice drops trailing zeros); timestamps print with a space instead of 'T'.
    private static bool SameValue(string csv, string calc) =>
        csv == calc
        || (decimal.TryParse(csv, NumberStyles.Number, CultureInfo.InvariantCulture, out var a) && decimal.TryParse(calc, NumberStyles.Number, CultureInfo.InvariantCulture, out var b) && a == b)
        || csv.Replace('T', ' ') == calc;

    private static List<string[]> Read(byte[] bytes)
    {
        using var reader = CsvReader.Create(bytes);
        var rows = new List<string[]>();
        rows.Add([.. reader.Headers]);
        while (reader.Read())
        {
            rows.Add(Enumerable.Range(0, reader.FieldCount).Select(reader.GetString).ToArray());
        }

        return rows;
    }

    private async Task<string> ConvertWithLibreOfficeAsync(string xlsx)
    {
        var output = Path.Combine(_folder, "out");
        var start = new ProcessStartInfo("soffice")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            $"-env:UserInstallation=file://{Path.Combine(_folder, "profile")}", "--headless", "--norestore",
            "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false", "--outdir", output, xlsx,
        })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var log = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromMinutes(2)).Token);
        var converted = Path.Combine(output, Path.GetFileNameWithoutExtension(xlsx) + ".csv");
        Assert.True(File.Exists(converted), $"LibreOffice did not convert the file: {log}");
        return converted;
    }
}
