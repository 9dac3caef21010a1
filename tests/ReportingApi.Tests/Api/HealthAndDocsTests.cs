using System.Net;
using System.Text.Json;

namespace ReportingApi.Tests.Api;

public sealed class HealthAndDocsTests(SqliteApiFixture fixture) : IClassFixture<SqliteApiFixture>
{
    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Health_endpoints_answer_without_a_token(string path)
    {
        using var client = fixture.Factory.CreateClient();
        using var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Swagger_ui_is_served()
    {
        using var client = fixture.Factory.CreateClient();
        using var response = await client.GetAsync("/swagger/index.html");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("swagger-ui", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenApi_document_has_the_client_credentials_flow_and_documents_every_response()
    {
        using var client = fixture.Factory.CreateClient();
        using var document = JsonDocument.Parse(await client.GetStringAsync("/swagger/v1/swagger.json"));
        var root = document.RootElement;

        var flow = root.GetProperty("components").GetProperty("securitySchemes").GetProperty("oauth2").GetProperty("flows").GetProperty("clientCredentials");
        Assert.Equal("/oauth2/token", flow.GetProperty("tokenUrl").GetString());
        Assert.True(flow.GetProperty("scopes").TryGetProperty("reports/read", out _));

        var operations = root.GetProperty("paths").EnumerateObject().SelectMany(path => path.Value.EnumerateObject()).ToList();
        Assert.NotEmpty(operations);
        foreach (var operation in operations)
        {
            var responses = operation.Value.GetProperty("responses");
            Assert.Contains(responses.EnumerateObject(), response => response.Name.StartsWith('2'));
            foreach (var status in new[] { "401", "403" })
            {
                Assert.True(responses.GetProperty(status).GetProperty("content").TryGetProperty("application/problem+json", out _), $"{operation.Name} {status}");
            }

            var scope = operation.Value.GetProperty("security")[0].GetProperty("oauth2")[0].GetString();
            var path = root.GetProperty("paths").EnumerateObject().Single(p => p.Value.EnumerateObject().Any(o => o.Value.GetProperty("operationId").GetString() == operation.Value.GetProperty("operationId").GetString())).Name;
            var expected = path.StartsWith("/v1/admin/", StringComparison.Ordinal) ? "reports/admin" : path.StartsWith("/v1/report-runs", StringComparison.Ordinal) || path.StartsWith("/v1/subscriptions", StringComparison.Ordinal) || path == "/v1/audit" || path.StartsWith("/v1/inbound-files", StringComparison.Ordinal) ? "reports/deliver" : "reports/read";
            Assert.Equal(expected, scope);
        }

        var download = root.GetProperty("paths").GetProperty("/v1/reports/{report}").GetProperty("get");
        var parameters = download.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
        Assert.Superset(new HashSet<string?> { "report", "format", "from", "to", "status", "employerId", "category" }, parameters.ToHashSet());
        Assert.True(download.GetProperty("responses").GetProperty("400").GetProperty("content").TryGetProperty("application/problem+json", out _));
        Assert.True(download.GetProperty("responses").GetProperty("404").GetProperty("content").TryGetProperty("application/problem+json", out _));

        var createRun = root.GetProperty("paths").GetProperty("/v1/report-runs").GetProperty("post");
        Assert.Equal("contracts", createRun.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("example").GetProperty("report").GetString());
        Assert.True(createRun.GetProperty("responses").TryGetProperty("202", out _));
        Assert.True(createRun.GetProperty("responses").GetProperty("422").GetProperty("content").TryGetProperty("application/problem+json", out _));
    }

    [Fact]
    public async Task The_pgp_key_operation_names_the_key_kinds_it_accepts_and_its_example_is_a_key_we_accept()
    {
        using var client = fixture.Factory.CreateClient();
        using var document = JsonDocument.Parse(await client.GetStringAsync("/swagger/v1/swagger.json"));

        var setKey = document.RootElement.GetProperty("paths").GetProperty("/v1/admin/partners/{id}/pgp-key").GetProperty("put");
        var description = setKey.GetProperty("description").GetString()!;
        var example = setKey.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("example").GetProperty("armoredPublicKey").GetString()!;

        foreach (var kind in new[] { "Ed25519 with a Cv25519", "future-default", "NIST P-256, P-384 or P-521", "RSA of at least 2048 bits", "UnsupportedAlgorithm" })
        {
            Assert.Contains(kind, description, StringComparison.Ordinal);
        }

        var validation = new ReportingApi.Pgp.PgpKeyValidator(TimeProvider.System).Validate(example);
        Assert.True(validation.IsValid, validation.Rejection?.Message);
        Assert.Equal(("EdDSA Ed25519", "ECDH Curve25519"), (validation.Key.PrimaryKey.Algorithm, validation.Key.EncryptionKey.Algorithm));
    }
}
