using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReportingApi.Tests.Pgp;
using ReportingApi.Pgp;
using ReportingApi.Secrets;
using ReportingApi.TestSupport;

namespace ReportingApi.Tests.Secrets;

public sealed class SecretsManagerTests : IAsyncLifetime
{
    private const string KeyArn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:reporting/pgp-secret-key-AbCdEf";
    private const string PassphraseArn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:reporting/pgp-passphrase-GhIjKl";

    private FakeSecretsManager _fake = null!;

    public async Task InitializeAsync() => _fake = await FakeSecretsManager.StartAsync();

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    [Fact]
    public async Task GetSecretValue_is_a_signed_json_1_1_call_that_returns_the_SecretString()
    {
        _fake.Secrets[KeyArn] = "line one\nline two";
        using var client = _fake.CreateClient();

        var value = await client.GetSecretStringAsync(KeyArn, CancellationToken.None);

        Assert.Equal("line one\nline two", value);
        Assert.Empty(_fake.ProtocolViolations);
        Assert.Equal([KeyArn], _fake.RequestedIds);
    }

    [Fact]
    public async Task A_missing_secret_is_a_not_found_error_naming_the_secret()
    {
        using var client = _fake.CreateClient();

        var error = await Assert.ThrowsAsync<SecretNotFoundException>(() => client.GetSecretStringAsync(KeyArn, CancellationToken.None));

        Assert.Equal("ResourceNotFoundException", error.ErrorType);
        Assert.Contains(KeyArn, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_read_is_an_access_denied_error()
    {
        _fake.Secrets[KeyArn] = "top-secret-value-9d1c";
        _fake.Denied[KeyArn] = true;
        using var client = _fake.CreateClient();

        var error = await Assert.ThrowsAsync<SecretAccessDeniedException>(() => client.GetSecretStringAsync(KeyArn, CancellationToken.None));

        Assert.Equal("AccessDeniedException", error.ErrorType);
        Assert.DoesNotContain("top-secret-value-9d1c", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_signature_is_refused_by_the_fake()
    {
        _fake.Secrets[KeyArn] = "value";
        using var client = _fake.CreateClient(secretKey: "not/the/right/secret/key/at/all/000000");

        var error = await Assert.ThrowsAsync<SecretAccessDeniedException>(() => client.GetSecretStringAsync(KeyArn, CancellationToken.None));

        Assert.Equal("InvalidSignatureException", error.ErrorType);
        Assert.NotEmpty(_fake.ProtocolViolations);
    }

    [Fact]
    public async Task A_value_is_reused_within_the_cache_time_and_read_again_after_it()
    {
        _fake.Secrets[KeyArn] = "first";
        var clock = new FixedTimeProvider(DateTimeOffset.Parse("2026-05-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        using var client = _fake.CreateClient();
        var source = new SecretsManagerSecretSource(client, Options.Create(_fake.Options(cacheSeconds: 60)), clock);

        Assert.Equal("first", await source.GetSecretAsync(KeyArn, CancellationToken.None));
        _fake.Secrets[KeyArn] = "rotated";
        clock.Now += TimeSpan.FromSeconds(59);
        Assert.Equal("first", await source.GetSecretAsync(KeyArn, CancellationToken.None));
        Assert.Single(_fake.RequestedIds);

        clock.Now += TimeSpan.FromSeconds(2);
        Assert.Equal("rotated", await source.GetSecretAsync(KeyArn, CancellationToken.None));
        Assert.Equal(2, _fake.RequestedIds.Count);
    }

    [Fact]
    public async Task The_company_key_loads_from_Secrets_Manager_when_the_provider_says_so()
    {
        _fake.Secrets[KeyArn] = TestPgpKeys.Company.ArmoredSecretKey;
        _fake.Secrets[PassphraseArn] = TestPgpKeys.CompanyPassphrase;
        using var host = BuildHost(new Dictionary<string, string?>
        {
            ["Pgp:SecretKeySecretArn"] = KeyArn,
            ["Pgp:PassphraseSecretArn"] = PassphraseArn,
        });

        await host.StartAsync();
        var key = host.Services.GetRequiredService<CompanySigningKey>().Key;
        await host.StopAsync();

        Assert.Equal(TestPgpKeys.Company.Fingerprint, key.Fingerprint);
        Assert.Equal([PassphraseArn, KeyArn], _fake.RequestedIds);
        Assert.Empty(_fake.ProtocolViolations);
    }

    [Fact]
    public async Task A_company_key_secret_that_cannot_be_read_stops_the_start_without_revealing_the_passphrase()
    {
        _fake.Secrets[PassphraseArn] = TestPgpKeys.CompanyPassphrase;
        using var host = BuildHost(new Dictionary<string, string?>
        {
            ["Pgp:SecretKeySecretArn"] = KeyArn,
            ["Pgp:PassphraseSecretArn"] = PassphraseArn,
        });

        var error = await Assert.ThrowsAsync<PgpKeyUnlockException>(() => host.StartAsync());

        Assert.Contains("Pgp:SecretKeySecretArn", error.Message, StringComparison.Ordinal);
        Assert.Contains("ResourceNotFoundException", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(TestPgpKeys.CompanyPassphrase, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_the_secret_arns_the_Secrets_Manager_provider_stops_the_start()
    {
        using var host = BuildHost([]);

        var error = await Assert.ThrowsAsync<PgpKeyUnlockException>(() => host.StartAsync());

        Assert.Contains("Pgp:SecretKeySecretArn", error.Message, StringComparison.Ordinal);
        Assert.Empty(_fake.RequestedIds);
    }

    [Fact]
    public void The_file_provider_is_the_default()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Production });
        builder.Services.AddSecrets();
        using var host = builder.Build();

        Assert.IsType<FileSecretSource>(host.Services.GetRequiredService<ISecretSource>());
    }

    private IHost BuildHost(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Production, ContentRootPath = Path.GetTempPath() });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(settings)
        {
            ["Secrets:Provider"] = "SecretsManager",
            ["Secrets:Region"] = FakeSecretsManager.Region,
            ["Secrets:ServiceUrl"] = _fake.Url.ToString(),
            // Files are not used with Secrets Manager, but the file settings stay required (appsettings.json has them).
            ["Pgp:SecretKeyPath"] = "unused.asc",
            ["Pgp:PassphrasePath"] = "unused.txt",
        });
        builder.Services.AddPgp();
        builder.Services.AddSingleton(new SecretsManagerClient(_fake.Options(), new Amazon.Runtime.BasicAWSCredentials(FakeSecretsManager.AccessKey, FakeSecretsManager.SecretKey)));
        builder.Logging.ClearProviders();
        return builder.Build();
    }
}
