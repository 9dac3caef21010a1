using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ReportingApi.Demo;
using ReportingApi.Runs;
using ReportingApi.Subscriptions;
using ReportingApi.Tests.Runs;
using ReportingApi.TestSupport;

namespace ReportingApi.Tests.Subscriptions;

public sealed class SubscriptionsApiTests(SubscriptionsFixture fixture) : IClassFixture<SubscriptionsFixture>
{
    private static readonly object MonthlyPayroll = new { report = "installments", format = "csv", filters = new { status = "paid" }, cron = "0 6 2 * *", timeZone = "Europe/Berlin", period = "previous-month" };

    [Fact]
    public async Task A_subscription_is_created_shown_changed_and_deleted()
    {
        using var client = await fixture.ClientForAsync(DemoClients.Acme);

        using var created = await client.PostAsJsonAsync("/v1/subscriptions", MonthlyPayroll);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var subscription = (await created.Content.ReadFromJsonAsync<SubscriptionResponse>())!;
        Assert.Equal($"/v1/subscriptions/{subscription.Id}", created.Headers.Location?.OriginalString);
        Assert.Equal(("installments", "csv", "paid", "0 6 2 * *", "Europe/Berlin", "previous-month", "active"),
            (subscription.Report, subscription.Format, subscription.Filters["status"], subscription.Cron, subscription.TimeZone, subscription.Period, subscription.Status));
        Assert.Equal(SubscriptionResponse.ShownSlots, subscription.NextSlots.Count);
        Assert.All(subscription.NextSlots, slot =>
        {
            Assert.Equal(slot.Utc, slot.Local.UtcDateTime);
            Assert.Equal((2, 6, 0), (slot.Local.Day, slot.Local.Hour, slot.Local.Minute));
            Assert.Equal(TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin").GetUtcOffset(slot.Utc), slot.Local.Offset);
        });
        Assert.Null(subscription.LastRun);
        Assert.Null(subscription.SkippedSlots);

        Assert.Equal(subscription.Id, (await client.GetFromJsonAsync<SubscriptionResponse>($"/v1/subscriptions/{subscription.Id}"))!.Id);
        Assert.Contains(subscription.Id, (await client.GetFromJsonAsync<List<SubscriptionResponse>>("/v1/subscriptions"))!.Select(s => s.Id));

        using var replaced = await client.PutAsJsonAsync($"/v1/subscriptions/{subscription.Id}", new { report = "employees", format = "xlsx", cron = "30 7 * * MON", timeZone = "America/New_York", period = "previous-week" });
        var changed = (await replaced.Content.ReadFromJsonAsync<SubscriptionResponse>())!;
        Assert.Equal(("employees", "xlsx", "previous-week"), (changed.Report, changed.Format, changed.Period));
        Assert.All(changed.NextSlots, slot => Assert.Equal((DayOfWeek.Monday, 7, 30), (slot.Local.DayOfWeek, slot.Local.Hour, slot.Local.Minute)));

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/v1/subscriptions/{subscription.Id}")).StatusCode);
        await AssertProblemAsync(await client.GetAsync($"/v1/subscriptions/{subscription.Id}"), HttpStatusCode.NotFound, "subscription-not-found");
    }

    public static TheoryData<string, string, string> InvalidFields() => new()
    {
        { """{"report": "installments", "cron": "0 6 2 *", "timeZone": "Europe/Berlin", "period": "previous-month"}""", "cron", "not a valid cron expression" },
        { """{"report": "installments", "cron": "*/2 * * * *", "timeZone": "Europe/Berlin", "period": "previous-month"}""", "cron", "at most once every 5 minutes" },
        { """{"report": "installments", "cron": "0 6 30 2 *", "timeZone": "Europe/Berlin", "period": "previous-month"}""", "cron", "never fires" },
        { """{"report": "installments", "cron": "0 6 2 * *", "timeZone": "Europe/Atlantis", "period": "previous-month"}""", "timeZone", "not a known time zone" },
        { """{"report": "installments", "cron": "0 6 2 * *", "timeZone": "Europe/Berlin", "period": "last-month"}""", "period", "not a period rule" },
        { """{"report": "installments", "cron": "0 6 2 * *", "timeZone": "Europe/Berlin", "period": "previous-quarter"}""", "period", "a report covers at most 40" },
        { """{"report": "payslips", "cron": "0 6 2 * *", "timeZone": "Europe/Berlin", "period": "previous-month"}""", "report", "There is no report 'payslips'" },
        { """{"report": "installments", "format": "pdf", "cron": "0 6 2 * *", "timeZone": "Europe/Berlin", "period": "previous-month"}""", "format", "not a supported format" },
        { """{"report": "installments", "filters": {"colour": "red"}, "cron": "0 6 2 * *", "timeZone": "Europe/Berlin", "period": "previous-month"}""", "filters", "has no filter 'colour'" },
        { """{"report": "installments", "filters": {"status": "maybe"}, "cron": "0 6 2 * *", "timeZone": "Europe/Berlin", "period": "previous-month"}""", "status", "not a valid status" },
    };

    [Theory]
    [MemberData(nameof(InvalidFields))]
    public async Task Each_invalid_field_gets_a_400_naming_it_and_nothing_is_saved(string body, string field, string message)
    {
        using var client = await fixture.ClientForAsync(DemoClients.Northwind);
        var before = (await client.GetFromJsonAsync<List<SubscriptionResponse>>("/v1/subscriptions"))!.Count;

        using var response = await client.PostAsync("/v1/subscriptions", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        var errors = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid-parameters");
        Assert.Contains(message, errors.GetProperty("errors").GetProperty(field)[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(before, (await client.GetFromJsonAsync<List<SubscriptionResponse>>("/v1/subscriptions"))!.Count);
    }

    [Fact]
    public async Task A_report_or_format_the_partner_may_not_use_is_a_400_on_that_field()
    {
        using var admin = await fixture.ClientForAsync(DemoClients.Operator);
        var partner = JsonSerializer.Deserialize<JsonElement>(await admin.GetStringAsync("/v1/admin/partners/3"));
        var settings = new
        {
            name = partner.GetProperty("name").GetString(), clientId = "demo-contoso", active = true,
            employerIds = partner.GetProperty("employerIds").EnumerateArray().Select(id => id.GetInt32()).ToArray(),
            ipAllowlist = new[] { "127.0.0.0/8", "::1/128" }, allowedReports = new[] { "contracts" }, allowedFormats = new[] { "csv" },
            deleteOutboxAfterDelivery = false,
        };
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/v1/admin/partners/3", settings)).StatusCode);
        try
        {
            using var client = await fixture.ClientForAsync(DemoClients.Contoso);
            var report = await AssertProblemAsync(await client.PostAsJsonAsync("/v1/subscriptions", MonthlyPayroll), HttpStatusCode.BadRequest, "invalid-parameters");
            Assert.Contains("does not include the 'installments' report", report.GetProperty("errors").GetProperty("report")[0].GetString(), StringComparison.Ordinal);
            var format = await AssertProblemAsync(
                await client.PostAsJsonAsync("/v1/subscriptions", new { report = "contracts", format = "xlsx", cron = "0 6 * * *", timeZone = "UTC", period = "previous-day" }),
                HttpStatusCode.BadRequest, "invalid-parameters");
            Assert.Contains("does not include the 'xlsx' format", format.GetProperty("errors").GetProperty("format")[0].GetString(), StringComparison.Ordinal);
        }
        finally
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/v1/admin/partners/3", settings with { allowedReports = Array.Empty<string>(), allowedFormats = Array.Empty<string>() })).StatusCode);
        }
    }

    [Fact]
    public async Task More_subscriptions_than_the_maximum_are_refused()
    {
        using var client = await fixture.ClientForAsync(DemoClients.Contoso);
        for (var count = (await client.GetFromJsonAsync<List<SubscriptionResponse>>("/v1/subscriptions"))!.Count; count < SubscriptionsFixture.MaxSubscriptions; count++)
        {
            Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/v1/subscriptions", new { report = "contracts", cron = "0 6 * * *", timeZone = "UTC", period = "previous-day" })).StatusCode);
        }

        var problem = await AssertProblemAsync(
            await client.PostAsJsonAsync("/v1/subscriptions", new { report = "contracts", cron = "0 6 * * *", timeZone = "UTC", period = "previous-day" }), HttpStatusCode.BadRequest, "invalid-parameters");
        Assert.Contains($"You have {SubscriptionsFixture.MaxSubscriptions} subscriptions", problem.GetProperty("errors").GetProperty("subscriptions")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_idempotency_key_may_not_use_the_schedule_prefix()
    {
        using var client = await fixture.ClientForAsync(DemoClients.Acme);
        var problem = await AssertProblemAsync(
            await client.PostRunAsync(new { report = "contracts", from = "2026-01-01", to = "2026-01-31" }, "schedule:sub_x:2026-01-01T00:00:00Z"), HttpStatusCode.BadRequest, "invalid-parameters");
        Assert.Contains("reserved", problem.GetProperty("errors").GetProperty(RunsApi.IdempotencyKeyHeader)[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pause_and_resume_by_the_partner_and_by_an_operator_whose_pause_only_an_operator_lifts()
    {
        using var client = await fixture.ClientForAsync(DemoClients.Acme);
        using var admin = await fixture.ClientForAsync(DemoClients.Operator);
        var id = (await (await client.PostAsJsonAsync("/v1/subscriptions", MonthlyPayroll)).Content.ReadFromJsonAsync<SubscriptionResponse>())!.Id;

        var paused = await SendAsync(client, $"/v1/subscriptions/{id}/pause");
        Assert.Equal(("paused", "partner"), (paused.Status, paused.PausedBy));
        var resumed = await SendAsync(client, $"/v1/subscriptions/{id}/resume");
        Assert.Equal(("active", null), (resumed.Status, resumed.PausedBy));

        Assert.Equal("operator", (await SendAsync(admin, $"/v1/admin/subscriptions/{id}/pause")).PausedBy);
        Assert.Equal("operator", (await SendAsync(client, $"/v1/subscriptions/{id}/pause")).PausedBy);
        await AssertProblemAsync(await client.PostAsync($"/v1/subscriptions/{id}/resume", null), HttpStatusCode.Conflict, "subscription-paused-by-operator");
        Assert.Contains(id, (await admin.GetFromJsonAsync<List<SubscriptionResponse>>("/v1/admin/subscriptions?partnerId=1"))!.Select(s => s.Id));
        Assert.DoesNotContain(id, (await admin.GetFromJsonAsync<List<SubscriptionResponse>>("/v1/admin/subscriptions?partnerId=2"))!.Select(s => s.Id));
        Assert.Equal("active", (await SendAsync(admin, $"/v1/admin/subscriptions/{id}/resume")).Status);
    }

    [Fact]
    public async Task Another_partner_cannot_see_or_change_a_subscription_and_the_read_scope_cannot_subscribe()
    {
        using var acme = await fixture.ClientForAsync(DemoClients.Acme);
        using var northwind = await fixture.ClientForAsync(DemoClients.Northwind);
        using var reader = await fixture.ClientForAsync(DemoClients.Acme, "reports/read");
        var id = (await (await acme.PostAsJsonAsync("/v1/subscriptions", MonthlyPayroll)).Content.ReadFromJsonAsync<SubscriptionResponse>())!.Id;

        await AssertProblemAsync(await northwind.GetAsync($"/v1/subscriptions/{id}"), HttpStatusCode.NotFound, "subscription-not-found");
        await AssertProblemAsync(await northwind.PostAsync($"/v1/subscriptions/{id}/pause", null), HttpStatusCode.NotFound, "subscription-not-found");
        await AssertProblemAsync(await northwind.DeleteAsync($"/v1/subscriptions/{id}"), HttpStatusCode.NotFound, "subscription-not-found");
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsJsonAsync("/v1/subscriptions", MonthlyPayroll)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await acme.GetAsync("/v1/admin/subscriptions")).StatusCode);
        Assert.Equal("active", (await acme.GetFromJsonAsync<SubscriptionResponse>($"/v1/subscriptions/{id}"))!.Status);
    }

    [Fact]
    public async Task The_demo_partner_has_a_paused_subscription_every_5_minutes()
    {
        using var client = await fixture.ClientForAsync(DemoClients.Acme);

        var demo = (await client.GetFromJsonAsync<SubscriptionResponse>($"/v1/subscriptions/{DemoSubscription.Id}"))!;

        Assert.Equal(("*/5 * * * *", "paused", "partner"), (demo.Cron, demo.Status, demo.PausedBy));
        Assert.Equal(TimeSpan.FromMinutes(5), demo.NextSlots[1].Utc - demo.NextSlots[0].Utc);
    }

    private static async Task<SubscriptionResponse> SendAsync(HttpClient client, string path)
    {
        using var response = await client.PostAsync(path, null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<SubscriptionResponse>())!;
    }

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == status, $"{response.StatusCode}: {body}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = JsonSerializer.Deserialize<JsonElement>(body);
            Assert.EndsWith("/" + type, problem.GetProperty("type").GetString(), StringComparison.Ordinal);
            return problem;
        }
    }
}
