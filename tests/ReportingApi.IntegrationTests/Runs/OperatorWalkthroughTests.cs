using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ReportingApi.Delivery;
using ReportingApi.Delivery.Sftp;
using ReportingApi.Demo;
using ReportingApi.IntegrationTests.Infrastructure;
using ReportingApi.PartnerAdmin;
using ReportingApi.Runs;
using ReportingApi.TestSupport;

namespace ReportingApi.IntegrationTests.Runs;

/// <summary>
/// The README's 2 a.m. walk-through on real parts (MariaDB, sshd, moto): a partner's SFTP server changed its host key, so
/// tonight's run failed; the operator finds it among all partners' runs, reads why, tests the target, fixes the pin,
/// tests again and redelivers.
/// </summary>
[Collection(MariaDbCollectionDefinition.Name)]
public sealed class OperatorWalkthroughTests(DeliveryEnvironment environment) : IClassFixture<DeliveryEnvironment>
{
    private static readonly DemoPartner Northwind = DemoPartners.All.Single(p => p.ClientId == DemoClients.Northwind.Id);

    [Fact]
    public async Task An_operator_finds_the_failed_run_tests_the_target_fixes_it_and_redelivers()
    {
        var since = DateTime.UtcNow.AddMinutes(-1);
        var oldHostKey = await SshdServer.GenerateKeyPairAsync(Path.Combine(environment.Sftp.WorkDirectory, $"old-host-key-{Guid.NewGuid():N}"));
        var upload = await environment.DeliverBySftpAsync(Northwind.Id, "walkthrough", hostKey: oldHostKey);
        using var partner = await environment.ClientForAsync(DemoClients.Northwind);
        using var admin = await environment.ClientForAsync(DemoClients.Operator);
        var accepted = await partner.StartRunAsync(new { report = "employees", format = "csv", from = "2026-10-01", to = "2026-10-31" });
        Assert.Equal("failed", (await partner.WaitUntilFinishedAsync(accepted.Id)).Run.Status);

        // Find failed runs tonight, of every partner.
        var failed = (await admin.GetFromJsonAsync<OperatorRunPage>($"/v1/admin/report-runs?status=failed&from={since:yyyy-MM-ddTHH:mm:ssZ}"))!;
        var run = Assert.Single(failed.Items);
        Assert.Equal((accepted.Id, Northwind.Id), (run.Id, run.PartnerId));
        Assert.Equal(1, failed.Totals["failed"]);
        Assert.Contains("presented host key", run.FailureReason, StringComparison.Ordinal);

        // Test the target: it fails at the host key, as the run did.
        var before = await TestDeliveryAsync(admin);
        Assert.False(before.Ok);
        Assert.Equal(DeliveryCheckOutcome.Failed, before.Checks.Single(check => check.Name == SftpDeliveryProbe.HostKey).Outcome);

        // Fix the pin (the operator reads the new key with ssh-keyscan and checks it with the partner), test again.
        var delivery = JsonNode.Parse(await admin.GetStringAsync($"/v1/admin/partners/{Northwind.Id}"))!["delivery"]!;
        delivery["hostKey"] = environment.Sftp.HostKey;
        using (var put = await admin.PutAsync($"/v1/admin/partners/{Northwind.Id}/delivery", new StringContent(delivery.ToJsonString(), System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        var after = await TestDeliveryAsync(admin);
        Assert.True(after.Ok, string.Join("; ", after.Checks.Select(check => $"{check.Name} {check.Outcome} {check.Reason}")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(upload));

        using var redeliver = await admin.PostAsync($"/v1/admin/report-runs/{run.Id}/redeliver", null);
        Assert.Equal(HttpStatusCode.Accepted, redeliver.StatusCode);
        var (delivered, json) = await partner.WaitUntilFinishedAsync(run.Id);
        Assert.True(delivered.Status == "delivered", json);
        Assert.Equal([delivered.FileName!, delivered.FileName + ".sha256"], Directory.EnumerateFiles(upload).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Contains(delivered.Steps!, step => step.Status == "redeliver" && step.Detail!.Contains($"operator {DemoClients.Operator.Id}", StringComparison.Ordinal));
    }

    private static async Task<DeliveryTestResponse> TestDeliveryAsync(HttpClient admin)
    {
        using var response = await admin.PostAsync($"/v1/admin/partners/{Northwind.Id}/delivery/test", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<DeliveryTestResponse>(ApiJson.Options))!;
    }
}
