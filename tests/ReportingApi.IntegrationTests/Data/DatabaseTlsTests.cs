using Dapper;
using MySqlConnector;
using ReportingApi.Data;
using ReportingApi.IntegrationTests.Infrastructure;
using ReportingApi.TestSupport;

namespace ReportingApi.IntegrationTests.Data;

/// <summary>
/// TLS to MariaDB as to RDS: <c>SslMode=VerifyCA</c> or <c>VerifyFull</c> with <c>SslCa</c> naming a bundle of several CAs
/// (RDS's global bundle holds one per region), through the app's connection factory. The server's certificate names
/// <c>localhost</c> only, so VerifyFull to 127.0.0.1 must fail where VerifyCA passes.
/// </summary>
[Collection(MariaDbCollectionDefinition.Name)]
public sealed class DatabaseTlsTests(MariaDbFixture fixture) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("reportingapi-tls-").FullName;

    [Theory]
    [InlineData(MySqlSslMode.VerifyCA, "127.0.0.1")]
    [InlineData(MySqlSslMode.VerifyFull, "localhost")]
    public async Task A_bundle_holding_the_servers_CA_among_others_verifies_it_and_the_session_is_encrypted(MySqlSslMode mode, string host)
    {
        var bundle = await BundleAsync(includeServersCa: true);

        await using var connection = await Factory(mode, host, bundle).OpenAsync();

        var cipher = (await connection.QueryAsync<(string Name, string Value)>("SHOW SESSION STATUS LIKE 'Ssl_cipher'")).Single().Value;
        Assert.False(string.IsNullOrEmpty(cipher), "The session is not encrypted.");
    }

    [Fact]
    public async Task A_bundle_without_the_servers_CA_is_refused()
    {
        var bundle = await BundleAsync(includeServersCa: false);

        var error = await Assert.ThrowsAsync<MySqlException>(() => Factory(MySqlSslMode.VerifyCA, "127.0.0.1", bundle).OpenAsync());

        Assert.Equal(MySqlErrorCode.UnableToConnectToHost, error.ErrorCode);
    }

    [Fact]
    public async Task VerifyFull_refuses_a_host_name_the_certificate_does_not_name()
    {
        var bundle = await BundleAsync(includeServersCa: true);

        var error = await Assert.ThrowsAsync<MySqlException>(() => Factory(MySqlSslMode.VerifyFull, "127.0.0.1", bundle).OpenAsync());

        Assert.Equal(MySqlErrorCode.UnableToConnectToHost, error.ErrorCode);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>A PEM bundle with an unrelated CA first and, if asked, the server's CA after it.</summary>
    private async Task<string> BundleAsync(bool includeServersCa)
    {
        using var unrelated = TestCertificates.CreateAuthority("Unrelated CA");
        var path = Path.Combine(_folder, $"bundle-{Guid.NewGuid():N}.pem");
        var pem = unrelated.ExportCertificatePem() + "\n" + (includeServersCa ? await File.ReadAllTextAsync(fixture.Server.CertificateAuthorityPath) : "");
        await File.WriteAllTextAsync(path, pem);
        return path;
    }

    private DbConnectionFactory Factory(MySqlSslMode mode, string host, string caBundle) => MariaDbServer.ConnectionFactory(
        new MySqlConnectionStringBuilder(fixture.ConnectionString) { Server = host, SslMode = mode, SslCa = caBundle, Pooling = false }.ConnectionString);
}
