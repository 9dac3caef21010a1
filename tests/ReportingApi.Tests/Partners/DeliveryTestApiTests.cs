using System.Net;
using System.Net.Http.Json;
using ReportingApi.Delivery;
using ReportingApi.PartnerAdmin;
using ReportingApi.Tests.Runs;
using ReportingApi.TestSupport;

namespace ReportingApi.Tests.Partners;

/// <summary>POST /v1/admin/partners/{id}/delivery/test for folder targets (SFTP: the integration tests, on a real sshd; connector: AwsConnectorProbeTests).</summary>
public sealed class DeliveryTestApiTests(RunsFixture fixture) : IClassFixture<RunsFixture>
{
    [Fact]
    public async Task A_writable_folder_passes_and_keeps_no_probe_file()
    {
        using var admin = await fixture.ClientForAsync(DemoClients.Operator);
        var folder = Path.Combine(fixture.Factory.WorkFolder, $"probe-{Guid.NewGuid():N}");
        var id = await PartnerWithDeliveryAsync(admin, new { kind = "Folder", folderPath = folder, remoteDirectory = "/in" });

        var result = await TestAsync(admin, id);

        Assert.True(result.Ok);
        Assert.Equal(DeliveryKind.Folder, result.Kind);
        Assert.Equal([new DeliveryCheck("folder-writable", DeliveryCheckOutcome.Ok)], result.Checks);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(folder, "in")));
    }

    [Fact]
    public async Task A_folder_that_cannot_be_written_fails_with_the_reason()
    {
        using var admin = await fixture.ClientForAsync(DemoClients.Operator);
        var blocked = Path.Combine(fixture.Factory.WorkFolder, $"blocked-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(blocked, "a file where the folder should be");
        var id = await PartnerWithDeliveryAsync(admin, new { kind = "Folder", folderPath = blocked, remoteDirectory = "/in" });

        var result = await TestAsync(admin, id);

        Assert.False(result.Ok);
        var check = Assert.Single(result.Checks);
        Assert.Equal(DeliveryCheckOutcome.Failed, check.Outcome);
        Assert.StartsWith("Cannot write to the folder", check.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_partner_without_a_target_or_an_unknown_partner_cannot_be_tested()
    {
        using var admin = await fixture.ClientForAsync(DemoClients.Operator);
        var none = await PartnerWithDeliveryAsync(admin, delivery: null);

        using var noneTest = await admin.PostAsync($"/v1/admin/partners/{none}/delivery/test", null);
        using var unknown = await admin.PostAsync("/v1/admin/partners/9999/delivery/test", null);

        await Api.AuthTests.AssertProblemAsync(noneTest, HttpStatusCode.Conflict, "partner-not-configured");
        await Api.AuthTests.AssertProblemAsync(unknown, HttpStatusCode.NotFound, "partner-not-found");
    }

    private static async Task<DeliveryTestResponse> TestAsync(HttpClient admin, int id)
    {
        using var response = await admin.PostAsync($"/v1/admin/partners/{id}/delivery/test", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<DeliveryTestResponse>(ApiJson.Options))!;
    }

    private static async Task<int> PartnerWithDeliveryAsync(HttpClient admin, object? delivery)
    {
        using var created = await admin.PostAsJsonAsync("/v1/admin/partners", new { name = "Probe Ltd", clientId = "probe-" + Guid.NewGuid().ToString("N")[..12], employerIds = new[] { 12 } });
        var id = (await created.Content.ReadFromJsonAsync<PartnerResponse>(ApiJson.Options))!.Id;
        if (delivery is not null)
        {
            using var set = await admin.PutAsJsonAsync($"/v1/admin/partners/{id}/delivery", delivery);
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        }

        return id;
    }
}
