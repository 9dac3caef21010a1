using System.Net;
using System.Net.Http.Json;
using ReportingApi.IntegrationTests.Infrastructure;
using ReportingApi.PartnerAdmin;
using ReportingApi.TestSupport;

namespace ReportingApi.IntegrationTests.Partners;

/// <summary>On MariaDB new partner ids come from AUTO_INCREMENT, so operators creating partners at the same time never collide.</summary>
[Collection(MariaDbCollectionDefinition.Name)]
public sealed class PartnerIdTests(MariaDbAppFactory app) : IClassFixture<MariaDbAppFactory>
{
    [Fact]
    public async Task Concurrent_creates_all_succeed_with_distinct_ids()
    {
        using var admin = await app.CreateClientForAsync(DemoClients.Operator);
        const int Creates = 8;
        using var start = new SemaphoreSlim(0);
        var creates = Enumerable.Range(0, Creates).Select(async index =>
        {
            await start.WaitAsync();
            using var response = await admin.PostAsJsonAsync("/v1/admin/partners", new { name = $"Concurrent {index}", clientId = $"concurrent-{index}-{Guid.NewGuid():N}"[..30], employerIds = new[] { 12 } });
            Assert.True(response.StatusCode == HttpStatusCode.Created, $"create {index}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            return (await response.Content.ReadFromJsonAsync<PartnerResponse>(ApiJson.Options))!.Id;
        }).ToList();
        start.Release(Creates);

        var ids = await Task.WhenAll(creates);

        Assert.Equal(Creates, ids.Distinct().Count());
        foreach (var id in ids)
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/v1/admin/partners/{id}")).StatusCode);
        }
    }
}
