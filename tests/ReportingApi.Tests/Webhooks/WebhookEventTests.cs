using System.Text.Json;
using ReportingApi.Webhooks;

namespace ReportingApi.Tests.Webhooks;

public sealed class WebhookEventTests
{
    private static readonly RunEventData Delivered = new(
        RunId: "run_01",
        Report: "installments",
        Format: "csv",
        From: "2026-01-01",
        To: "2026-01-31",
        Status: "delivered",
        Attempts: 2,
        FailureReason: null,
        Rows: 1200,
        Bytes: 34567,
        Sha256: new string('a', 64),
        FileName: "installments_2026-01-01_2026-01-31_run_01.csv.pgp",
        CreatedAt: new DateTime(2026, 2, 1, 6, 0, 0, DateTimeKind.Unspecified),
        DeliveredAt: new DateTime(2026, 2, 1, 6, 0, 41, DateTimeKind.Unspecified),
        Self: "/v1/report-runs/run_01");

    [Fact]
    public void A_run_event_is_id_type_time_and_the_runs_public_fields_in_camel_case_with_UTC_times()
    {
        var body = WebhookEvents.ForRun(WebhookEventTypes.RunDelivered, Delivered, new DateTimeOffset(2026, 2, 1, 8, 0, 42, TimeSpan.FromHours(2)));

        using var json = JsonDocument.Parse(body.Json);
        var root = json.RootElement;
        Assert.Equal(["id", "type", "time", "data"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(body.Id, root.GetProperty("id").GetString());
        Assert.Equal("run.delivered", root.GetProperty("type").GetString());
        Assert.Equal("2026-02-01T06:00:42Z", root.GetProperty("time").GetString());
        var data = root.GetProperty("data");
        Assert.Equal(
            ["runId", "report", "format", "from", "to", "status", "attempts", "failureReason", "rows", "bytes", "sha256", "fileName", "createdAt", "deliveredAt", "self"],
            data.EnumerateObject().Select(p => p.Name));
        Assert.Equal("run_01", data.GetProperty("runId").GetString());
        Assert.Equal(1200, data.GetProperty("rows").GetInt64());
        Assert.Equal(JsonValueKind.Null, data.GetProperty("failureReason").ValueKind);
        Assert.Equal("2026-02-01T06:00:00Z", data.GetProperty("createdAt").GetString());
        Assert.Equal("2026-02-01T06:00:41Z", data.GetProperty("deliveredAt").GetString());
    }

    [Fact]
    public void A_failed_run_carries_its_reason()
    {
        var failed = Delivered with { Status = "failed", FailureReason = "SFTP login refused", DeliveredAt = null };

        var body = WebhookEvents.ForRun(WebhookEventTypes.RunFailed, failed, DateTimeOffset.UtcNow);

        using var json = JsonDocument.Parse(body.Json);
        Assert.Equal("run.failed", json.RootElement.GetProperty("type").GetString());
        Assert.Equal("SFTP login refused", json.RootElement.GetProperty("data").GetProperty("failureReason").GetString());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("data").GetProperty("deliveredAt").ValueKind);
    }

    [Fact]
    public void Event_ids_are_unique_and_sort_by_creation()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => WebhookEvents.NewId()).ToList();

        Assert.All(ids, id => Assert.Matches("^evt_[0-9a-f]{32}$", id));
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        // UUIDv7 orders by millisecond; within one millisecond the random part decides, so compare across a pause.
        Thread.Sleep(2);
        Assert.True(string.CompareOrdinal(ids[0], WebhookEvents.NewId()) < 0);
    }

    [Fact]
    public void A_given_id_is_kept_so_a_stored_event_serialises_the_same()
    {
        var time = DateTimeOffset.UtcNow;

        var first = WebhookEvents.ForRun(WebhookEventTypes.RunDelivered, Delivered, time, "evt_fixed");
        var again = WebhookEvents.ForRun(WebhookEventTypes.RunDelivered, Delivered, time, "evt_fixed");

        Assert.Equal("evt_fixed", first.Id);
        Assert.Equal(first.Json, again.Json);
        Assert.DoesNotContain("run_01", first.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("inbound.stored")]
    [InlineData("run.started")]
    [InlineData("Run.Delivered")]
    public void Only_run_types_make_run_events(string type)
    {
        Assert.Throws<ArgumentException>(() => WebhookEvents.ForRun(type, Delivered, DateTimeOffset.UtcNow));
    }

    [Fact]
    public void The_known_types_are_the_four_of_the_api()
    {
        Assert.Equal(["run.delivered", "run.failed", "inbound.stored", "inbound.rejected"], WebhookEventTypes.All);
        Assert.True(WebhookEventTypes.IsKnown("inbound.rejected"));
        Assert.False(WebhookEventTypes.IsKnown("run.*"));
        Assert.False(WebhookEventTypes.IsKnown(null));
    }
}
