using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ReportingApi.Runs;

namespace ReportingApi.IntegrationTests.Runs;

/// <summary>The report-run endpoints as a partner's system calls them.</summary>
internal static class RunRequests
{
    /// <summary>Longest a run may take to finish here; a run still unfinished after it counts as stuck.</summary>
    public static readonly TimeSpan FinishTimeout = TimeSpan.FromSeconds(45);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);

    public static async Task<HttpResponseMessage> PostRunAsync(this HttpClient client, object body, string idempotencyKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/report-runs") { Content = JsonContent.Create(body) };
        request.Headers.Add(RunsApi.IdempotencyKeyHeader, idempotencyKey);
        return await client.SendAsync(request);
    }

    /// <summary>Starts a run (with a new Idempotency-Key) and returns it as accepted.</summary>
    public static async Task<ReportRunResponse> StartRunAsync(this HttpClient client, object body)
    {
        using var response = await client.PostRunAsync(body, "e2e-" + Guid.NewGuid());
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"POST /v1/report-runs: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<ReportRunResponse>())!;
    }

    public static async Task RedeliverAsync(this HttpClient client, string runId)
    {
        using var response = await client.PostAsync($"/v1/report-runs/{runId}/redeliver", content: null);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"Redeliver {runId}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>The run with its steps, and the response body as sent (to search it for what must not be there).</summary>
    public static async Task<(ReportRunResponse Run, string Json)> GetRunAsync(this HttpClient client, string runId)
    {
        using var response = await client.GetAsync($"/v1/report-runs/{runId}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await response.Content.ReadAsStringAsync();
        return (JsonSerializer.Deserialize<ReportRunResponse>(json, WebJson)!, json);
    }

    /// <summary>Polls until the run is delivered or failed; fails the test, showing its steps, when it does not finish in time.</summary>
    public static async Task<(ReportRunResponse Run, string Json)> WaitUntilFinishedAsync(this HttpClient client, string runId)
    {
        var deadline = DateTime.UtcNow + FinishTimeout;
        while (true)
        {
            var (run, json) = await client.GetRunAsync(runId);
            if (run.Status is "delivered" or "failed")
            {
                return (run, json);
            }

            Assert.True(DateTime.UtcNow < deadline, $"Run {runId} is stuck: still '{run.Status}' after {FinishTimeout.TotalSeconds} s.\n{json}");
            await Task.Delay(PollInterval);
        }
    }

    public static async Task<(ReportRunResponse Run, string Json)> RedeliverAndWaitAsync(this HttpClient client, string runId)
    {
        await client.RedeliverAsync(runId);
        return await client.WaitUntilFinishedAsync(runId);
    }
}
