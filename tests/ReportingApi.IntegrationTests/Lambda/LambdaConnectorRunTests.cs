using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ReportingApi.Demo;
using ReportingApi.IntegrationTests.Pgp;
using ReportingApi.Partners;
using ReportingApi.TestSupport;
using ReportingApi.TestSupport.Lambda;

namespace ReportingApi.IntegrationTests.Lambda;

/// <summary>
/// Issue 4's acceptance check for runs on Lambda, on the real app process behind the fake Runtime API: an operator
/// points a partner at a Transfer connector, the partner asks for a run, the function invokes itself asynchronously
/// (accepted and recorded by moto, and replayed as the next invocation), the connector sends, and its EventBridge events
/// arrive as invocations and take the run to delivered. Real gpg then decrypts and verifies the delivered file.
/// </summary>
public sealed class LambdaConnectorRunTests(LambdaAppFixture lambda) : IClassFixture<LambdaAppFixture>
{
    private const string ConnectorId = "c-0a1b2c3d4e5f60718";
    private const string RemoteDirectory = "/inbound/reports";
    private const string Partner = "demo-northwind";

    [Fact]
    public async Task A_run_is_handed_to_the_connector_and_its_events_take_it_to_delivered()
    {
        await PointPartnerAtConnectorAsync();

        var created = await HttpAsync(LambdaEvents.AuthorizedSend(
            "POST",
            "/v1/report-runs",
            """{"report":"contracts","format":"csv","from":"2026-01-01","to":"2026-03-31"}""",
            new Dictionary<string, string> { ["idempotency-key"] = "lambda-connector-" + Guid.NewGuid() },
            Partner,
            "reports/deliver"));
        Assert.Equal(202, created.StatusCode);
        var runId = created.BodyJson.GetProperty("id").GetString()!;

        // The function invoked itself (InvocationType Event) and Lambda (moto) accepted it; Lambda would now deliver that
        // event to the function.
        var invoke = Assert.Single(await lambda.InvocationsAsync(), r => Encoding.UTF8.GetString(r.Body).Contains(runId, StringComparison.Ordinal));
        Assert.Equal("Event", invoke.Headers["X-Amz-Invocation-Type"]);
        Assert.Contains($"\"POST {invoke.Url.AbsolutePath} HTTP/1.1\" 202", lambda.Lambda.RecentOutput(), StringComparison.Ordinal);
        var handedOver = JsonDocument.Parse((await InvokeAsync(Encoding.UTF8.GetString(invoke.Body))).Body).RootElement;
        Assert.Equal("sending", handedOver.GetProperty("status").GetString());

        var transfer = Assert.Single(lambda.Connector.Transfers, t => t.Paths.Any(p => p.Contains(runId, StringComparison.Ordinal)));
        lambda.Connector.InProgressPolls = 0;
        foreach (var path in transfer.Paths)
        {
            await EventAsync(LambdaEvents.FileSendEvent(ConnectorId, transfer.TransferId, path));
        }

        for (var rename = 0; rename < 2; rename++)
        {
            var move = lambda.Connector.Moves.Last();
            Assert.Equal(rename + 1, lambda.Connector.Moves.Count(m => m.SourcePath.Contains(runId, StringComparison.Ordinal)));
            await EventAsync(LambdaEvents.RemoteMoveEvent(ConnectorId, move.MoveId, move.SourcePath, move.TargetPath));
        }

        var run = await HttpAsync(LambdaEvents.AuthorizedGet($"/v1/report-runs/{runId}", "", Partner, "reports/deliver"));
        Assert.Equal(200, run.StatusCode);
        Assert.Equal("delivered", run.BodyJson.GetProperty("status").GetString());
        var fileName = run.BodyJson.GetProperty("fileName").GetString()!;
        var steps = run.BodyJson.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("status").GetString()).ToList();
        Assert.Equal(["transfer-started", "renaming", "renaming", "delivered"], steps.SkipWhile(s => s != "transfer-started"));
        Assert.Empty(lambda.Transfer.ProtocolViolations);
        Assert.Empty(lambda.Connector.Problems);

        var delivered = Path.Combine(lambda.RemoteRoot, "inbound", "reports", fileName);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(delivered)));
        Assert.Equal($"{sha256}  {fileName}\n", await File.ReadAllTextAsync(delivered + ".sha256"));

        using var gpg = new GnuPgHome();
        var passphraseFile = Path.Combine(TestPgpKeys.DemoKeysFolder, $"{Partner}.passphrase");
        gpg.RunChecked("--pinentry-mode", "loopback", "--passphrase-file", passphraseFile, "--import", Path.Combine(TestPgpKeys.DemoKeysFolder, $"{Partner}.secret.asc"));
        gpg.RunChecked("--import", Path.Combine(TestPgpKeys.DemoKeysFolder, DemoOnboarding.CompanyPublicKeyFile));
        var plaintext = gpg.File("plaintext.csv");
        var decryption = gpg.Run("--pinentry-mode", "loopback", "--passphrase-file", passphraseFile, "--output", plaintext, "--decrypt", delivered);
        Assert.True(decryption.ExitCode == 0, decryption.Errors);
        Assert.True(decryption.HasStatus("GOODSIG"), decryption.Errors);
        Assert.True(decryption.HasStatus("GOODMDC"), decryption.Errors);

        var direct = await HttpAsync(LambdaEvents.AuthorizedGet("/v1/reports/contracts", "format=csv&from=2026-01-01&to=2026-03-31", Partner, "reports/read"));
        Assert.Equal(200, direct.StatusCode);
        Assert.Equal(direct.BodyBytes, await File.ReadAllBytesAsync(plaintext));
    }

    private async Task PointPartnerAtConnectorAsync()
    {
        var partners = await HttpAsync(LambdaEvents.AuthorizedGet("/v1/admin/partners", "", DemoClients.Operator.Id, "reports/admin"));
        Assert.Equal(200, partners.StatusCode);
        var partnerId = partners.BodyJson.EnumerateArray().Single(p => p.GetProperty("clientId").GetString() == Partner).GetProperty("id").GetInt32();
        var delivery = await HttpAsync(LambdaEvents.AuthorizedSend(
            "PUT",
            $"/v1/admin/partners/{partnerId}/delivery",
            JsonSerializer.Serialize(new { kind = "AwsConnector", remoteDirectory = RemoteDirectory, connectorId = ConnectorId }),
            new Dictionary<string, string>(),
            DemoClients.Operator.Id,
            "reports/admin"));
        Assert.True(delivery.StatusCode == 200, delivery.BodyText);
    }

    private async Task EventAsync(string lambdaEvent)
    {
        var post = await InvokeAsync(lambdaEvent);
        Assert.True(post.Kind == "response", $"{post.Kind}: {Encoding.UTF8.GetString(post.Body)}");
    }

    private Task<RuntimePost> InvokeAsync(string lambdaEvent) => lambda.InvokeAsync(lambdaEvent);

    private async Task<PayloadResponse> HttpAsync(string lambdaEvent) => PayloadResponse.From(await lambda.InvokeAsync(lambdaEvent));
}
