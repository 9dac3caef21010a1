using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using ReportingApi.Tests.Infrastructure;
using ReportingApi.Tests.Runs;
using ReportingApi.TestSupport;

namespace ReportingApi.Tests.Delivery;

/// <summary>
/// Folder delivery is atomic as the partner sees it: a folder watched all through a slow delivery (the object store
/// reads a few KB at a time) never shows a final name on less than the complete file, nor the <c>.sha256</c> before
/// the file it describes.
/// </summary>
public sealed class FolderDeliveryWatchTests(RunsFixture fixture) : IClassFixture<RunsFixture>, IDisposable
{
    private const int BytesPerRead = 2 * 1024;
    private static readonly TimeSpan DelayPerRead = TimeSpan.FromMilliseconds(10);

    private readonly WebApplicationFactory<Program> _app = fixture.Factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
        ThrottledObjectStore.Replace(services, BytesPerRead, DelayPerRead)));

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task A_watched_folder_never_shows_a_final_name_before_its_content_is_complete()
    {
        using var admin = await ClientAsync(DemoClients.Operator);
        var folder = Path.Combine(fixture.Factory.WorkFolder, $"watched-{Guid.NewGuid():N}");
        using (var delivery = await admin.PutAsJsonAsync("/v1/admin/partners/2/delivery", new { kind = "Folder", folderPath = folder, remoteDirectory = "/in" }))
        {
            Assert.Equal(HttpStatusCode.OK, delivery.StatusCode);
        }

        using var client = await ClientAsync(DemoClients.Northwind);
        var inbound = Directory.CreateDirectory(Path.Combine(folder, "in")).FullName;
        await using var watch = DeliveryDirectoryWatch.Start(inbound);
        var run = await client.CreateAndWaitAsync(new { report = "installments", format = "json", from = "2026-01-01", to = "2026-12-31" });
        await watch.StopAsync();

        Assert.Equal("delivered", run.Status);
        var file = await client.GetByteArrayAsync($"/v1/report-runs/{run.Id}/file");
        var checksum = Encoding.ASCII.GetBytes($"{run.Sha256}  {run.FileName}\n");
        var problems = watch.ProblemsDelivering(run.FileName!, file, checksum);
        Assert.True(problems.Count == 0, $"The partner could have taken an incomplete delivery:\n{string.Join('\n', problems.Take(5))}");
    }

    private async Task<HttpClient> ClientAsync((string Id, string Secret) credentials)
    {
        var client = _app.CreateClient();
        return client.WithToken(await DemoClients.GetTokenAsync(client, credentials));
    }
}
