using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReportingApi.Pgp;
using ReportingApi.Secrets;
using ReportingApi.Tests.Pgp;
using ReportingApi.TestSupport;
using ReportingApi.TestSupport.Aws;

namespace ReportingApi.Tests.Secrets;

/// <summary>The app's Secrets Manager client and secret source against moto (<see cref="MotoSecretsManager"/>).</summary>
public sealed class SecretsManagerTests : IAsyncLifetime
{
    private MotoSecretsManager _secrets = null!;

    public async Task InitializeAsync() => _secrets = await MotoSecretsManager.StartAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task GetSecretValue_is_a_signed_json_1_1_call_that_returns_the_SecretString()
    {
        var arn = await _secrets.CreateAsync("multi-line", "line one\nline two");
        using var client = _secrets.CreateClient();

        var value = await client.GetSecretStringAsync(arn, CancellationToken.None);

        Assert.Equal("line one\nline two", value);
        Assert.Equal([arn], _secrets.RequestedIds);
    }

    [Fact]
    public async Task A_missing_secret_is_a_not_found_error_naming_the_secret()
    {
        var missing = _secrets.MissingArn("pgp-secret-key");
        using var client = _secrets.CreateClient();

        var error = await Assert.ThrowsAsync<SecretNotFoundException>(() => client.GetSecretStringAsync(missing, CancellationToken.None));

        Assert.Equal("ResourceNotFoundException", error.ErrorType);
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
        Assert.Contains("can't find the specified secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_read_the_credentials_may_not_make_is_an_access_denied_error_without_the_value()
    {
        var arn = await _secrets.CreateAsync("denied", "top-secret-value-9d1c");
        using var client = _secrets.CreateClient(_secrets.Server.OutsiderCredentials);

        var error = await Assert.ThrowsAsync<SecretAccessDeniedException>(() => client.GetSecretStringAsync(arn, CancellationToken.None));

        Assert.Equal("AccessDenied", error.ErrorType);
        Assert.Contains("secretsmanager:GetSecretValue", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("top-secret-value-9d1c", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_signature_is_refused()
    {
        var arn = await _secrets.CreateAsync("signed", "value");
        var appKey = _secrets.Server.AppCredentials.GetCredentials().AccessKey;
        using var client = _secrets.CreateClient(new Amazon.Runtime.BasicAWSCredentials(appKey, "not/the/right/secret/key/at/all/000000"));

        var error = await Assert.ThrowsAsync<SecretAccessDeniedException>(() => client.GetSecretStringAsync(arn, CancellationToken.None));

        Assert.Equal("SignatureDoesNotMatch", error.ErrorType);
    }

    [Fact]
    public async Task A_value_is_reused_within_the_cache_time_and_read_again_after_it()
    {
        var arn = await _secrets.CreateAsync("rotating", "first");
        var clock = new FixedTimeProvider(DateTimeOffset.Parse("2026-05-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        using var client = _secrets.CreateClient();
        var source = new SecretsManagerSecretSource(client, Options.Create(_secrets.Options(cacheSeconds: 60)), clock);

        Assert.Equal("first", await source.GetSecretAsync(arn, CancellationToken.None));
        await _secrets.Server.PutSecretValueAsync(arn, "rotated");
        clock.Now += TimeSpan.FromSeconds(59);
        Assert.Equal("first", await source.GetSecretAsync(arn, CancellationToken.None));
        Assert.Single(_secrets.RequestedIds);

        clock.Now += TimeSpan.FromSeconds(2);
        Assert.Equal("rotated", await source.GetSecretAsync(arn, CancellationToken.None));
        Assert.Equal(2, _secrets.RequestedIds.Count);
    }

    [Fact]
    public async Task The_company_key_loads_from_Secrets_Manager_when_the_provider_says_so()
    {
        var keyArn = await _secrets.CreateAsync("pgp/secret-key", TestPgpKeys.Company.ArmoredSecretKey);
        var passphraseArn = await _secrets.CreateAsync("pgp/passphrase", TestPgpKeys.CompanyPassphrase);
        using var host = BuildHost(new Dictionary<string, string?>
        {
            ["Pgp:SecretKeySecretArn"] = keyArn,
            ["Pgp:PassphraseSecretArn"] = passphraseArn,
        });

        await host.StartAsync();
        var key = host.Services.GetRequiredService<CompanySigningKey>().Key;
        await host.StopAsync();

        Assert.Equal(TestPgpKeys.Company.Fingerprint, key.Fingerprint);
        Assert.Equal([passphraseArn, keyArn], _secrets.RequestedIds);
    }

    [Fact]
    public async Task A_company_key_secret_that_cannot_be_read_stops_the_start_without_revealing_the_passphrase()
    {
        var passphraseArn = await _secrets.CreateAsync("pgp/passphrase", TestPgpKeys.CompanyPassphrase);
        using var host = BuildHost(new Dictionary<string, string?>
        {
            ["Pgp:SecretKeySecretArn"] = _secrets.MissingArn("pgp/secret-key"),
            ["Pgp:PassphraseSecretArn"] = passphraseArn,
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
        Assert.Empty(_secrets.RequestedIds);
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
            ["Secrets:Region"] = MotoServer.Region,
            ["Secrets:ServiceUrl"] = _secrets.Server.ServiceUrl,
            // Files are not used with Secrets Manager, but the file settings stay required (appsettings.json has them).
            ["Pgp:SecretKeyPath"] = "unused.asc",
            ["Pgp:PassphrasePath"] = "unused.txt",
        });
        builder.Services.AddPgp();
        builder.Services.AddSingleton(_secrets.CreateClient());
        builder.Logging.ClearProviders();
        return builder.Build();
    }
}
