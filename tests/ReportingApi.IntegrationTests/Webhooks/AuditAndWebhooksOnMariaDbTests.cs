using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ReportingApi.IntegrationTests.Infrastructure;
using ReportingApi.IntegrationTests.Runs;
using ReportingApi.TestSupport;
using ReportingApi.TestSupport.Webhooks;
using ReportingApi.Webhooks;

namespace ReportingApi.IntegrationTests.Webhooks;

/// <summary>
/// Migration 0009 on the real MariaDB (SQLite runs the same SQL in the fast tests): audit entries appended and paged
/// by their AUTO_INCREMENT ids, and a webhook endpoint whose events are stored, leased, sent and logged after a real
/// run, received and verified by a receiver on loopback.
/// </summary>
[Collection(MariaDbCollectionDefinition.Name)]
public sealed class AuditAndWebhooksOnMariaDbTests(MariaDbFixture database)
{
    [Fact]
    public async Task A_run_sends_a_signed_event_and_every_admin_change_is_in_the_audit_trail()
    {
        // A database of its own, so the partner settings changed here reach no other test.
        var connectionString = await database.Server.CreateDatabaseAsync("webhooks_" + Guid.NewGuid().ToString("N")[..8]);
        await MariaDbServer.SeedAsync(connectionString, 300);
        using var app = new ReportingApiFactory(MariaDbAppFactory.Settings(connectionString));
        using var admin = await app.CreateClientForAsync(DemoClients.Operator);
        List<string> secrets = [];
        await using var receiver = await WebhookReceiver.StartAsync(secrets);
        using (var created = await admin.PutAsJsonAsync("/v1/admin/partners/1/webhook", new { url = receiver.HookUrl.ToString(), eventTypes = new[] { "run.delivered" } }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            secrets.Add((await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!);
        }

        using (var rotated = await admin.PostAsync("/v1/admin/partners/1/webhook/rotate-secret", null))
        {
            Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        }

        using var partner = await app.CreateClientForAsync(DemoClients.Acme);
        var started = await partner.StartRunAsync(new { report = "contracts", format = "csv", from = "2026-01-01", to = "2026-01-31" });
        var (run, _) = await partner.WaitUntilFinishedAsync(started.Id);
        Assert.Equal("delivered", run.Status);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (receiver.Received.Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        var received = Assert.Single(receiver.Received);
        Assert.Equal(WebhookVerification.Valid, received.Verification);
        Assert.Equal(run.Id, JsonDocument.Parse(received.Body).RootElement.GetProperty("data").GetProperty("runId").GetString());

        var log = await admin.GetFromJsonAsync<JsonElement>("/v1/admin/partners/1/webhook/deliveries");
        var logged = Assert.Single(log.GetProperty("items").EnumerateArray());
        Assert.Equal(received.Id, logged.GetProperty("id").GetString());
        Assert.Equal(WebhookEventStatus.Delivered, logged.GetProperty("status").GetString());

        // Two entries, read one per page through the cursor, newest first.
        var first = await admin.GetFromJsonAsync<JsonElement>("/v1/admin/audit?partnerId=1&limit=1");
        var second = await admin.GetFromJsonAsync<JsonElement>($"/v1/admin/audit?partnerId=1&limit=1&cursor={first.GetProperty("nextCursor").GetString()}");
        Assert.Equal("partner.webhook.secret-rotated", first.GetProperty("items")[0].GetProperty("action").GetString());
        Assert.Equal("partner.webhook.set", second.GetProperty("items")[0].GetProperty("action").GetString());
        Assert.Equal(JsonValueKind.Null, second.GetProperty("nextCursor").ValueKind);
        var own = await partner.GetFromJsonAsync<JsonElement>("/v1/audit");
        Assert.Equal(2, own.GetProperty("items").GetArrayLength());

        // The worker's queries (due events, the catch-up of runs without an event) ran on MariaDB without a complaint.
        Assert.DoesNotContain(app.Logs.GetSnapshot(), log => log.Category?.Contains("Webhook", StringComparison.Ordinal) == true);
    }
}
