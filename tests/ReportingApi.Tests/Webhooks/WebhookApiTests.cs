using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ReportingApi.Runs;
using ReportingApi.Tests.Api;
using ReportingApi.Tests.Runs;
using ReportingApi.TestSupport;
using ReportingApi.TestSupport.Webhooks;
using ReportingApi.Webhooks;

namespace ReportingApi.Tests.Webhooks;

/// <summary>The app on SQLite with demo partners, webhooks retried within seconds (the schedule's shape is WebhookRetryScheduleTests').</summary>
public sealed class WebhooksFixture : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("reportingapi-webhooks-").FullName;

    public WebhooksFixture()
    {
        DatabasePath = Path.Combine(_folder, "webhooks.db");
        Factory = new ReportingApiFactory(new Dictionary<string, string?>(RunsFixture.Settings(DatabasePath))
        {
            ["Webhooks:CatchUpInterval"] = "00:00:01",
            ["Webhooks:CatchUpDelay"] = "00:00:01",
            ["Webhooks:FirstRetryDelay"] = "00:00:00.200",
            ["Webhooks:MaxRetryDelay"] = "00:00:01",
            ["Webhooks:RetryWindow"] = "00:00:10",
            ["Webhooks:AttemptTimeout"] = "00:00:08",
        });
    }

    public string DatabasePath { get; }

    public ReportingApiFactory Factory { get; }

    public void Dispose()
    {
        Factory.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}

/// <summary>
/// Webhooks end to end: configured through the admin API, sent after real runs to a receiver on loopback that checks
/// signatures as a partner would, retried while it fails, never holding up a run or another partner.
/// </summary>
public sealed class WebhookApiTests(WebhooksFixture fixture) : IClassFixture<WebhooksFixture>
{
    private static readonly object OneMonth = new { report = "contracts", format = "csv", from = "2026-01-01", to = "2026-01-31" };
    private static readonly string[] RunTypes = [WebhookEventTypes.RunDelivered, WebhookEventTypes.RunFailed];

    [Fact]
    public async Task A_real_run_sends_run_delivered_signed_with_the_secret_shown_once()
    {
        using var admin = await fixture.Factory.CreateClientForAsync(DemoClients.Operator);
        List<string> secrets = [];
        await using var receiver = await WebhookReceiver.StartAsync(secrets);
        var created = await SetWebhookAsync(admin, 1, receiver.HookUrl, HttpStatusCode.Created);
        var secret = created.GetProperty("secret").GetString()!;
        secrets.Add(secret);
        Assert.StartsWith(WebhookSecrets.Prefix, secret, StringComparison.Ordinal);
        Assert.Equal(WebhookSecrets.Fingerprint(secret), created.GetProperty("webhook").GetProperty("secretFingerprint").GetString());

        using var partner = await fixture.Factory.CreateClientForAsync(DemoClients.Acme);
        var run = await partner.CreateAndWaitAsync(OneMonth);
        Assert.Equal("delivered", run.Status);

        var received = await WaitForAsync(() => receiver.Received.Where(r => Data(r).GetProperty("runId").GetString() == run.Id).ToList(), list => list.Count >= 1);
        var request = Assert.Single(received);
        Assert.Equal(WebhookVerification.Valid, request.Verification);
        Assert.Equal("/hooks/reports", request.Path);
        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal(WebhookEventTypes.RunDelivered, body.RootElement.GetProperty("type").GetString());
        Assert.Equal(request.Id, body.RootElement.GetProperty("id").GetString());
        var data = body.RootElement.GetProperty("data");
        Assert.Equal(run.Sha256, data.GetProperty("sha256").GetString());
        Assert.Equal(run.FileName, data.GetProperty("fileName").GetString());
        Assert.Equal(run.Rows, data.GetProperty("rows").GetInt64());
        Assert.Equal($"/v1/report-runs/{run.Id}", data.GetProperty("self").GetString());

        // Shown once: the endpoint as read back names the secret by fingerprint only, and so does the log.
        var webhookText = await admin.GetStringAsync("/v1/admin/partners/1/webhook");
        var deliveriesText = await WaitForAsync(() => admin.GetStringAsync("/v1/admin/partners/1/webhook/deliveries"), text => text.Contains("\"delivered\"", StringComparison.Ordinal));
        Assert.DoesNotContain(secret, webhookText, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, deliveriesText, StringComparison.Ordinal);
        var logged = JsonDocument.Parse(deliveriesText).RootElement.GetProperty("items").EnumerateArray().Single(e => e.GetProperty("id").GetString() == request.Id);
        Assert.Equal(1, logged.GetProperty("attempts").GetInt32());
        Assert.Equal(200, logged.GetProperty("attemptLog")[0].GetProperty("statusCode").GetInt32());
    }

    [Fact]
    public async Task While_the_receiver_fails_the_event_is_retried_with_the_same_id_and_delivered_once_it_recovers_and_the_run_never_waits()
    {
        using var admin = await fixture.Factory.CreateClientForAsync(DemoClients.Operator);
        List<string> secrets = [];
        // The first answer takes 3 s, then 500; then 500 again; then 200.
        await using var receiver = await WebhookReceiver.StartAsync(secrets, [
            new WebhookAnswer(StatusCodes.Status500InternalServerError, "busy", Delay: TimeSpan.FromSeconds(3)),
            new WebhookAnswer(StatusCodes.Status500InternalServerError, "still busy"),
        ]);
        secrets.Add((await SetWebhookAsync(admin, 2, receiver.HookUrl, HttpStatusCode.Created)).GetProperty("secret").GetString()!);

        using var partner = await fixture.Factory.CreateClientForAsync(DemoClients.Northwind);
        var run = await partner.CreateAndWaitAsync(OneMonth);
        Assert.Equal("delivered", run.Status);

        // The run was delivered while the receiver still held the event's first attempt (stored just after the run's end).
        var pending = Assert.Single(await WaitForAsync(() => EventsAsync(admin, 2), list => list.Count > 0));
        Assert.Equal("pending", pending.GetProperty("status").GetString());
        Assert.Equal(0, pending.GetProperty("attempts").GetInt32());

        var received = await WaitForAsync(() => receiver.Received, list => list.Count >= 3, TimeSpan.FromSeconds(30));
        Assert.Equal(3, received.Count);
        Assert.All(received, r => Assert.Equal(WebhookVerification.Valid, r.Verification));
        Assert.Single(received.Select(r => r.Id).Distinct());
        Assert.All(received, r => Assert.Equal(received[0].Body, r.Body));

        var logged = await WaitForAsync(async () => Assert.Single(await EventsAsync(admin, 2)), e => e.GetProperty("status").GetString() == "delivered");
        var attempts = logged.GetProperty("attemptLog").EnumerateArray().ToList();
        Assert.Equal([500, 500, 200], attempts.Select(a => a.GetProperty("statusCode").GetInt32()));
        Assert.Equal(["Retry", "Retry", "Delivered"], attempts.Select(a => a.GetProperty("outcome").GetString()));
        Assert.Equal("busy", attempts[0].GetProperty("responseExcerpt").GetString());
        Assert.True(attempts[0].GetProperty("durationMs").GetInt32() >= 2900, attempts[0].ToString());
        Assert.True(run.DeliveredAt < attempts[0].GetProperty("startedAt").GetDateTime().AddMilliseconds(attempts[0].GetProperty("durationMs").GetInt32()));
    }

    [Fact]
    public async Task A_failed_run_sends_run_failed_with_its_reason_and_its_redelivery_sends_run_delivered()
    {
        using var admin = await fixture.Factory.CreateClientForAsync(DemoClients.Operator);
        List<string> secrets = [];
        await using var receiver = await WebhookReceiver.StartAsync(secrets);
        secrets.Add(await SecretOfAsync(admin, 2, receiver.HookUrl));

        // A plain file where Northwind's remote directory should be: every delivery attempt fails.
        var remote = Path.Combine(fixture.Factory.SftpFolder(DemoClients.Northwind.Id), "reports");
        if (Directory.Exists(remote))
        {
            Directory.Delete(remote, recursive: true);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(remote)!);
        await File.WriteAllTextAsync(remote, "in the way");
        using var partner = await fixture.Factory.CreateClientForAsync(DemoClients.Northwind);
        var run = await partner.CreateAndWaitAsync(new { report = "contracts", format = "csv", from = "2026-04-01", to = "2026-04-30" });
        Assert.Equal("failed", run.Status);
        List<ReceivedWebhook> ForRun() => [.. receiver.Received.Where(r => Data(r).GetProperty("runId").GetString() == run.Id)];
        var failed = Assert.Single(await WaitForAsync(ForRun, list => list.Count == 1));
        using (var body = JsonDocument.Parse(failed.Body))
        {
            Assert.Equal(WebhookEventTypes.RunFailed, body.RootElement.GetProperty("type").GetString());
            Assert.Equal("failed", body.RootElement.GetProperty("data").GetProperty("status").GetString());
            Assert.Equal(run.FailureReason, body.RootElement.GetProperty("data").GetProperty("failureReason").GetString());
        }

        File.Delete(remote);
        using var redeliver = await partner.PostAsync($"/v1/report-runs/{run.Id}/redeliver", null);
        Assert.Equal(HttpStatusCode.Accepted, redeliver.StatusCode);
        Assert.Equal("delivered", (await partner.WaitUntilFinishedAsync(run.Id)).Status);
        var both = await WaitForAsync(ForRun, list => list.Count == 2);
        Assert.Equal(2, both.Count);
        Assert.Equal(WebhookEventTypes.RunDelivered, JsonDocument.Parse(both[1].Body).RootElement.GetProperty("type").GetString());
        Assert.NotEqual(both[0].Id, both[1].Id);
    }

    [Fact]
    public async Task A_stalled_endpoint_does_not_hold_up_another_partners_events()
    {
        using var admin = await fixture.Factory.CreateClientForAsync(DemoClients.Operator);
        List<string> stalledSecrets = [];
        List<string> healthySecrets = [];
        await using var stalled = await WebhookReceiver.StartAsync(stalledSecrets, [new WebhookAnswer(StatusCodes.Status200OK, Delay: TimeSpan.FromSeconds(6))]);
        await using var healthy = await WebhookReceiver.StartAsync(healthySecrets);
        stalledSecrets.Add(await SecretOfAsync(admin, 1, stalled.HookUrl));
        healthySecrets.Add(await SecretOfAsync(admin, 2, healthy.HookUrl));

        using var acme = await fixture.Factory.CreateClientForAsync(DemoClients.Acme);
        using var northwind = await fixture.Factory.CreateClientForAsync(DemoClients.Northwind);
        var stalledRun = await acme.CreateAndWaitAsync(OneMonth);
        await WaitForAsync(() => stalled.Received.Where(r => Data(r).GetProperty("runId").GetString() == stalledRun.Id).ToList(), list => list.Count == 1);
        var healthyRun = await northwind.CreateAndWaitAsync(OneMonth);

        await WaitForAsync(() => healthy.Received.Where(r => Data(r).GetProperty("runId").GetString() == healthyRun.Id).ToList(), list => list.Count == 1);
        // Northwind's event arrived while Acme's receiver was still holding its request.
        var acmeEvent = (await EventsAsync(admin, 1)).First(e => e.GetProperty("status").GetString() != "delivered" || e.GetProperty("attempts").GetInt32() == 0);
        Assert.Equal(0, acmeEvent.GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task An_event_lost_between_the_runs_end_and_its_storing_is_stored_and_sent_by_the_catch_up()
    {
        using var admin = await fixture.Factory.CreateClientForAsync(DemoClients.Operator);
        List<string> secrets = [];
        await using var receiver = await WebhookReceiver.StartAsync(secrets);
        secrets.Add(await SecretOfAsync(admin, 1, receiver.HookUrl));
        using var partner = await fixture.Factory.CreateClientForAsync(DemoClients.Acme);
        var run = await partner.CreateAndWaitAsync(OneMonth);
        List<ReceivedWebhook> ForRun() => [.. receiver.Received.Where(r => Data(r).GetProperty("runId").GetString() == run.Id)];
        Assert.Single(await WaitForAsync(ForRun, list => list.Count == 1));
        // Received, and recorded as delivered (the attempt is logged once the receiver has answered).
        await WaitForAsync(() => EventsAsync(admin, 1), list => list.Any(e => e.GetProperty("status").GetString() == "delivered" && e.GetProperty("attempts").GetInt32() == 1
            && receiver.Received.Any(r => r.Id == e.GetProperty("id").GetString())));

        // As if the app had stopped right after saving the run's end: its event was never stored.
        using (var database = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={fixture.DatabasePath}"))
        {
            database.Open();
            using var delete = database.CreateCommand();
            delete.CommandText = "DELETE FROM webhook_attempts WHERE event_id IN (SELECT id FROM webhook_events WHERE run_id = $run); DELETE FROM webhook_events WHERE run_id = $run";
            delete.Parameters.AddWithValue("$run", run.Id);
            Assert.Equal(2, delete.ExecuteNonQuery());
        }

        // The worker runs the catch-up every second here; running it once more directly makes the test independent of
        // when the worker's next pass comes on a busy machine.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await fixture.Factory.Services.GetRequiredService<WebhookCatchUp>().StoreMissedAsync(CancellationToken.None);
        var received = await WaitForAsync(ForRun, list => list.Count == 2, TimeSpan.FromSeconds(40));
        Assert.True(received.Count == 2, string.Join("\n", fixture.Factory.Logs.GetSnapshot().Select(log => $"{log.Category}: {log.Message} {log.Exception}")));
        Assert.All(received, r => Assert.Equal(WebhookVerification.Valid, r.Verification));
        Assert.Equal(WebhookEventTypes.RunDelivered, JsonDocument.Parse(received[1].Body).RootElement.GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_rotated_secret_signs_beside_the_old_one_and_the_audit_shows_the_change_by_fingerprint_only()
    {
        using var admin = await fixture.Factory.CreateClientForAsync(DemoClients.Operator);
        List<string> oldOnly = [];
        await using var receiver = await WebhookReceiver.StartAsync(oldOnly);
        var first = (await SetWebhookAsync(admin, 3, receiver.HookUrl, HttpStatusCode.Created)).GetProperty("secret").GetString()!;
        oldOnly.Add(first);

        using var rotation = await admin.PostAsync("/v1/admin/partners/3/webhook/rotate-secret?overlapHours=2", null);
        Assert.Equal(HttpStatusCode.OK, rotation.StatusCode);
        var rotated = await rotation.Content.ReadFromJsonAsync<JsonElement>();
        var second = rotated.GetProperty("secret").GetString()!;
        Assert.NotEqual(first, second);
        var webhook = rotated.GetProperty("webhook");
        Assert.Equal(WebhookSecrets.Fingerprint(second), webhook.GetProperty("secretFingerprint").GetString());
        Assert.Equal(WebhookSecrets.Fingerprint(first), webhook.GetProperty("previousSecretFingerprint").GetString());

        // The next event carries a v1 signature per valid secret: a receiver that holds only the old one still verifies it.
        var runId = await RunForContosoAsync();
        var received = (await WaitForAsync(() => receiver.Received.Where(r => Data(r).GetProperty("runId").GetString() == runId).ToList(), list => list.Count == 1)).Single();
        Assert.Equal(WebhookVerification.Valid, received.Verification);
        Assert.Equal(2, received.Signature!.Split("v1=").Length - 1);
        Assert.Equal(WebhookVerification.Valid, WebhookSignatureVerifier.Verify(received.Signature, received.Body, [second], DateTimeOffset.UtcNow, WebhookSignatureVerifier.DefaultTolerance));

        var auditText = await admin.GetStringAsync("/v1/admin/audit?partnerId=3");
        var entries = JsonDocument.Parse(auditText).RootElement.GetProperty("items").EnumerateArray().ToList();
        var rotationEntry = entries.First(e => e.GetProperty("action").GetString() == "partner.webhook.secret-rotated");
        var change = rotationEntry.GetProperty("changes").EnumerateArray().Single(c => c.GetProperty("path").GetString() == "secretFingerprint");
        Assert.Equal(WebhookSecrets.Fingerprint(first), change.GetProperty("before").GetString());
        Assert.Equal(WebhookSecrets.Fingerprint(second), change.GetProperty("after").GetString());
        Assert.Contains(entries, e => e.GetProperty("action").GetString() == "partner.webhook.set");
        foreach (var secret in new[] { first, second })
        {
            Assert.DoesNotContain(secret, auditText, StringComparison.Ordinal);
            Assert.DoesNotContain(fixture.Factory.Logs.GetSnapshot(), log => log.Message.Contains(secret, StringComparison.Ordinal) || log.Exception?.ToString().Contains(secret, StringComparison.Ordinal) == true);
        }
    }

    [Fact]
    public async Task Changing_the_url_keeps_the_secret_and_removing_the_endpoint_is_audited()
    {
        using var admin = await fixture.Factory.CreateClientForAsync(DemoClients.Operator);
        var partner = await CreatePartnerAsync(admin);
        var created = await SetWebhookAsync(admin, partner, new Uri("http://127.0.0.1:9/a"), HttpStatusCode.Created);
        var changed = await SetWebhookAsync(admin, partner, new Uri("http://127.0.0.1:9/b"), HttpStatusCode.OK);
        Assert.False(changed.TryGetProperty("secret", out _));
        Assert.Equal(created.GetProperty("webhook").GetProperty("secretFingerprint").GetString(), changed.GetProperty("secretFingerprint").GetString());
        Assert.Equal("http://127.0.0.1:9/b", changed.GetProperty("url").GetString());

        using var deleted = await admin.DeleteAsync($"/v1/admin/partners/{partner}/webhook");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await admin.GetAsync($"/v1/admin/partners/{partner}/webhook");
        await AuthTests.AssertProblemAsync(gone, HttpStatusCode.NotFound, "webhook-not-found");

        var audit = await admin.GetFromJsonAsync<JsonElement>($"/v1/admin/audit?partnerId={partner}");
        Assert.Equal(
            ["partner.webhook.removed", "partner.webhook.set", "partner.webhook.set", "partner.created"],
            audit.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("action").GetString()));
    }

    public static TheoryData<string, string> InvalidWebhooks() => new()
    {
        { """{"url":"http://10.1.2.3/hook","eventTypes":["run.delivered"]}""", "url" },
        { """{"url":"http://169.254.169.254/latest/meta-data","eventTypes":["run.delivered"]}""", "url" },
        { """{"url":"http://192.168.0.10/hook","eventTypes":["run.delivered"]}""", "url" },
        { """{"url":"ftp://example.com/hook","eventTypes":["run.delivered"]}""", "url" },
        { """{"url":"http://user:pw@127.0.0.1/hook","eventTypes":["run.delivered"]}""", "url" },
        { """{"eventTypes":["run.delivered"]}""", "url" },
        { """{"url":"http://127.0.0.1/hook","eventTypes":["run.exploded"]}""", "eventTypes" },
        { """{"url":"http://127.0.0.1/hook","eventTypes":[]}""", "eventTypes" },
    };

    [Theory]
    [MemberData(nameof(InvalidWebhooks))]
    public async Task Invalid_webhooks_are_refused_naming_the_field_and_change_nothing(string body, string field)
    {
        using var admin = await fixture.Factory.CreateClientForAsync(DemoClients.Operator);
        var partner = await CreatePartnerAsync(admin);
        using var response = await admin.PutAsync($"/v1/admin/partners/{partner}/webhook", new StringContent(body, Encoding.UTF8, "application/json"));
        var problem = await AuthTests.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid-parameters");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        using var after = await admin.GetAsync($"/v1/admin/partners/{partner}/webhook");
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
    }

    [Fact]
    public async Task Unknown_partners_and_bad_queries_are_problems()
    {
        using var admin = await fixture.Factory.CreateClientForAsync(DemoClients.Operator);
        using var put = await admin.PutAsJsonAsync("/v1/admin/partners/99999/webhook", new { url = "http://127.0.0.1:9/", eventTypes = RunTypes });
        await AuthTests.AssertProblemAsync(put, HttpStatusCode.NotFound, "partner-not-found");
        using var rotate = await admin.PostAsync("/v1/admin/partners/99999/webhook/rotate-secret", null);
        await AuthTests.AssertProblemAsync(rotate, HttpStatusCode.NotFound, "partner-not-found");
        using var log = await admin.GetAsync("/v1/admin/partners/99999/webhook/deliveries");
        await AuthTests.AssertProblemAsync(log, HttpStatusCode.NotFound, "partner-not-found");
        using var overlap = await admin.PostAsync("/v1/admin/partners/1/webhook/rotate-secret?overlapHours=1000", null);
        await AuthTests.AssertProblemAsync(overlap, HttpStatusCode.BadRequest, "invalid-parameters");
        using var cursor = await admin.GetAsync("/v1/admin/partners/1/webhook/deliveries?cursor=nope");
        await AuthTests.AssertProblemAsync(cursor, HttpStatusCode.BadRequest, "invalid-parameters");
    }

    public static TheoryData<string, string> AdminRoutes() => new()
    {
        { "PUT", "/v1/admin/partners/1/webhook" },
        { "GET", "/v1/admin/partners/1/webhook" },
        { "DELETE", "/v1/admin/partners/1/webhook" },
        { "POST", "/v1/admin/partners/1/webhook/rotate-secret" },
        { "GET", "/v1/admin/partners/1/webhook/deliveries" },
        { "GET", "/v1/admin/audit" },
    };

    [Theory]
    [MemberData(nameof(AdminRoutes))]
    public async Task A_partner_token_gets_403_on_the_new_admin_routes(string method, string path)
    {
        using var partner = await fixture.Factory.CreateClientForAsync(DemoClients.Acme);
        using var request = new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = method is "PUT" ? JsonContent.Create(new { url = "http://127.0.0.1:9/", eventTypes = RunTypes }) : null,
        };
        using var response = await partner.SendAsync(request);
        await AuthTests.AssertProblemAsync(response, HttpStatusCode.Forbidden, "insufficient-scope");
    }

    private async Task<string> RunForContosoAsync()
    {
        // Contoso allows calls from loopback only; the test server has no address of its own.
        using var client = await fixture.Factory.CreateClientForAsync(DemoClients.Contoso);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/report-runs") { Content = JsonContent.Create(OneMonth) };
        request.Headers.Add(ReportingApiFactory.RemoteAddressHeader, "127.0.0.1");
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ReportRunResponse>())!.Id;
    }

    private static async Task<int> CreatePartnerAsync(HttpClient admin)
    {
        using var response = await admin.PostAsJsonAsync("/v1/admin/partners", new { name = "Hooked", clientId = "hook-" + Guid.NewGuid().ToString("N")[..10] });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
    }

    private static async Task<string> SecretOfAsync(HttpClient admin, int partnerId, Uri url)
    {
        // A fresh endpoint (and so a fresh secret) whatever an earlier test left.
        using var _ = await admin.DeleteAsync($"/v1/admin/partners/{partnerId}/webhook");
        return (await SetWebhookAsync(admin, partnerId, url, HttpStatusCode.Created)).GetProperty("secret").GetString()!;
    }

    private static async Task<JsonElement> SetWebhookAsync(HttpClient admin, int partnerId, Uri url, HttpStatusCode expected)
    {
        using var response = await admin.PutAsJsonAsync($"/v1/admin/partners/{partnerId}/webhook", new { url = url.ToString(), eventTypes = RunTypes });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<IReadOnlyList<JsonElement>> EventsAsync(HttpClient admin, int partnerId) =>
        [.. (await admin.GetFromJsonAsync<JsonElement>($"/v1/admin/partners/{partnerId}/webhook/deliveries")).GetProperty("items").EnumerateArray()];

    private static JsonElement Data(ReceivedWebhook received) => JsonDocument.Parse(received.Body).RootElement.GetProperty("data").Clone();

    private static Task<T> WaitForAsync<T>(Func<T> read, Func<T, bool> done, TimeSpan? timeout = null) => WaitForAsync(() => Task.FromResult(read()), done, timeout);

    private static async Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var value = await read();
            if (done(value) || DateTime.UtcNow > deadline)
            {
                return value;
            }

            await Task.Delay(100);
        }
    }
}
