using System.Net;
using System.Net.Http.Json;
using ReportingApi.Runs;
using ReportingApi.Tests.Api;
using ReportingApi.TestSupport;

namespace ReportingApi.Tests.Runs;

/// <summary>The app on SQLite with demo partners onboarded (PGP keys, folder delivery) and fast retries.</summary>
public sealed class RunsFixture : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("reportingapi-runs-").FullName;

    public RunsFixture()
    {
        DatabasePath = Path.Combine(_folder, "runs.db");
        Factory = new ReportingApiFactory(Settings(DatabasePath));
    }

    public string DatabasePath { get; }

    public ReportingApiFactory Factory { get; }

    public static Dictionary<string, string?> Settings(string databasePath) => new(SqliteApiFixture.Settings(databasePath))
    {
        ["Runs:MaxDeliveryAttempts"] = "3",
    };

    public Microsoft.Data.Sqlite.SqliteConnection OpenDatabase()
    {
        var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DatabasePath}");
        connection.Open();
        return connection;
    }

    public async Task<HttpClient> ClientForAsync((string Id, string Secret) credentials, string? scope = null)
    {
        var client = Factory.CreateClient();
        return client.WithToken(await DemoClients.GetTokenAsync(client, credentials, scope));
    }

    public void Dispose()
    {
        Factory.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}

public static class RunClient
{
    public static async Task<HttpResponseMessage> PostRunAsync(this HttpClient client, object body, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/report-runs") { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add(RunsApi.IdempotencyKeyHeader, idempotencyKey);
        }

        return await client.SendAsync(request);
    }

    /// <summary>Polls the run until it is delivered or failed (or the time is up) and returns it with its steps.</summary>
    public static async Task<ReportRunResponse> WaitUntilFinishedAsync(this HttpClient client, string runId, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        while (true)
        {
            var run = (await client.GetFromJsonAsync<ReportRunResponse>($"/v1/report-runs/{runId}"))!;
            if (run.Status is "delivered" or "failed" || DateTime.UtcNow > deadline)
            {
                return run;
            }

            await Task.Delay(100);
        }
    }

    public static async Task<ReportRunResponse> CreateAndWaitAsync(this HttpClient client, object body, string? idempotencyKey = null)
    {
        using var response = await client.PostRunAsync(body, idempotencyKey);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var run = (await response.Content.ReadFromJsonAsync<ReportRunResponse>())!;
        return await client.WaitUntilFinishedAsync(run.Id);
    }
}
