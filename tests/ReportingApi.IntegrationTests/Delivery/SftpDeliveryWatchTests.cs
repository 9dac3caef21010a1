using System.Text;
using ReportingApi.Demo;
using ReportingApi.IntegrationTests.Infrastructure;
using ReportingApi.IntegrationTests.Runs;
using ReportingApi.TestSupport;

namespace ReportingApi.IntegrationTests.Delivery;

/// <summary>
/// SFTP delivery is atomic as the partner sees it: the upload folder of the tests' sshd, watched all through a run's
/// slow delivery (the connection to the server is slowed to a crawl), never shows a final name on less than the
/// complete file, nor the <c>.sha256</c> before the file it describes.
/// </summary>
[Collection(MariaDbCollectionDefinition.Name)]
public sealed class SftpDeliveryWatchTests(DeliveryEnvironment environment) : IClassFixture<DeliveryEnvironment>
{
    /// <summary>Slow enough that the report's upload takes a few seconds.</summary>
    private const int BytesPerSecond = 32 * 1024;

    private static readonly DemoPartner Acme = DemoPartners.All.Single(p => p.ClientId == DemoClients.Acme.Id);

    [Fact]
    public async Task A_watched_upload_folder_never_shows_a_final_name_before_its_content_is_complete()
    {
        await using var slowLink = new GatedTcpProxy(environment.Sftp.Port, BytesPerSecond);
        slowLink.Open();
        var upload = await environment.DeliverBySftpAsync(Acme.Id, "watched", port: slowLink.Port);
        using var client = await environment.ClientForAsync(DemoClients.Acme);

        await using var watch = DeliveryDirectoryWatch.Start(upload);
        var accepted = await client.StartRunAsync(new { report = "installments", format = "json", from = "2026-01-01", to = "2026-12-31" });
        var (run, json) = await client.WaitUntilFinishedAsync(accepted.Id);
        await watch.StopAsync();

        Assert.True(run.Status == "delivered", json);
        var file = await client.GetByteArrayAsync($"/v1/report-runs/{run.Id}/file");
        var checksum = Encoding.ASCII.GetBytes($"{run.Sha256}  {run.FileName}\n");
        var problems = watch.ProblemsDelivering(run.FileName!, file, checksum);
        Assert.True(problems.Count == 0, $"The partner could have taken an incomplete delivery:\n{string.Join('\n', problems.Take(5))}");
    }
}
