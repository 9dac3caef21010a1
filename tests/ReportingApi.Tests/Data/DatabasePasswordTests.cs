using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MySqlConnector;
using ReportingApi.Data;
using ReportingApi.Secrets;
using ReportingApi.Tests.Secrets;
using ReportingApi.TestSupport;

namespace ReportingApi.Tests.Data;

/// <summary>The MySQL password from <see cref="ISecretSource"/>; the login itself (and the 1045 retry) is tested on MariaDB in the integration tests.</summary>
public sealed class DatabasePasswordTests : IDisposable
{
    private const string SecretArn = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:reportingapi/database-AbCdEf";
    private const string BaseConnectionString = "Server=db.example;Port=3306;Database=reporting;User ID=reporting_api;Password=from-config;SslMode=Required";
    private const string Password = "s3cr3t-Pa55word-7f1e";

    private readonly string _folder = Directory.CreateTempSubdirectory("reportingapi-dbpassword-").FullName;

    private static DbConnectionFactory Factory(ISecretSource secrets, Action<DatabaseOptions>? configure = null, string? contentRoot = null)
    {
        var options = new DatabaseOptions { Provider = DatabaseProvider.MySql, ConnectionString = BaseConnectionString, PasswordSecretArn = SecretArn };
        configure?.Invoke(options);
        return new DbConnectionFactory(Options.Create(options), new TestEnvironment(contentRoot ?? Path.GetTempPath()), secrets, NullLogger<DbConnectionFactory>.Instance);
    }

    [Fact]
    public async Task A_plain_secret_is_the_password_and_the_user_stays_the_configured_one()
    {
        var secrets = new FakeSecretSource();
        secrets.Stored[SecretArn] = Password + "\n";

        var connection = new MySqlConnectionStringBuilder(await Factory(secrets).ConnectionStringAsync(CancellationToken.None));

        Assert.Equal(Password, connection.Password);
        Assert.Equal("reporting_api", connection.UserID);
        Assert.Equal("db.example", connection.Server);
        Assert.Equal(MySqlSslMode.Required, connection.SslMode);
    }

    [Fact]
    public async Task An_rds_json_secret_gives_the_user_and_the_password()
    {
        var secrets = new FakeSecretSource();
        secrets.Stored[SecretArn] = $$"""{"engine":"mysql","host":"ignored.example","username":"rotated_user","password":"{{Password}}","dbname":"ignored"}""";

        var connection = new MySqlConnectionStringBuilder(await Factory(secrets).ConnectionStringAsync(CancellationToken.None));

        Assert.Equal(Password, connection.Password);
        Assert.Equal("rotated_user", connection.UserID);
        Assert.Equal("db.example", connection.Server);
        Assert.Equal("reporting", connection.Database);
    }

    [Fact]
    public async Task A_json_secret_without_a_password_is_refused_without_quoting_it()
    {
        var secrets = new FakeSecretSource();
        secrets.Stored[SecretArn] = """{"username":"reporting_api","passwd":"not-the-right-field-91ac"}""";

        var error = await Assert.ThrowsAsync<DatabaseSecretException>(() => Factory(secrets).OpenAsync());

        Assert.Contains(SecretArn, error.Message, StringComparison.Ordinal);
        Assert.Contains("\"password\"", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-right-field-91ac", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_password_that_only_looks_like_json_is_taken_as_it_is()
    {
        var secrets = new FakeSecretSource();
        secrets.Stored[SecretArn] = "{not json";

        var connection = new MySqlConnectionStringBuilder(await Factory(secrets).ConnectionStringAsync(CancellationToken.None));

        Assert.Equal("{not json", connection.Password);
    }

    [Fact]
    public async Task A_refused_secret_read_fails_the_open_naming_the_setting_and_arn_but_not_the_value()
    {
        var moto = await MotoSecretsManager.StartAsync();
        var arn = await moto.CreateAsync("database", Password);
        using var client = moto.CreateClient(moto.Server.OutsiderCredentials);
        var secrets = new SecretsManagerSecretSource(client, Options.Create(moto.Options()), TimeProvider.System);

        var error = await Assert.ThrowsAsync<DatabaseSecretException>(() => Factory(secrets, options => options.PasswordSecretArn = arn).OpenAsync());

        Assert.Contains("Database:PasswordSecretArn", error.Message, StringComparison.Ordinal);
        Assert.Contains(arn, error.Message, StringComparison.Ordinal);
        Assert.Contains("AccessDenied", error.Message, StringComparison.Ordinal);
        Assert.IsType<SecretAccessDeniedException>(error.InnerException);
        Assert.DoesNotContain(Password, error.ToString(), StringComparison.Ordinal);
        // A DbException: the API answers 503 and /health/ready says not ready, as for a database that is down.
        Assert.IsAssignableFrom<System.Data.Common.DbException>(error);
    }

    [Fact]
    public async Task The_password_is_read_from_Secrets_Manager_once_per_cache_time_not_per_connection()
    {
        var moto = await MotoSecretsManager.StartAsync();
        var arn = await moto.CreateAsync("database", Password);
        using var client = moto.CreateClient();
        var secrets = new SecretsManagerSecretSource(client, Options.Create(moto.Options(cacheSeconds: 300)), TimeProvider.System);
        var factory = Factory(secrets, options => options.PasswordSecretArn = arn);

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(Password, new MySqlConnectionStringBuilder(await factory.ConnectionStringAsync(CancellationToken.None)).Password);
        }

        Assert.Equal([arn], moto.RequestedIds);
    }

    [Fact]
    public async Task With_the_files_provider_the_password_path_names_a_file_under_the_content_root()
    {
        await File.WriteAllTextAsync(Path.Combine(_folder, "db-password"), Password + "\n");
        var factory = Factory(new FileSecretSource(new TestEnvironment(_folder)), options =>
        {
            options.PasswordSecretArn = null;
            options.PasswordPath = "db-password";
        }, _folder);

        Assert.Equal(Password, new MySqlConnectionStringBuilder(await factory.ConnectionStringAsync(CancellationToken.None)).Password);
    }

    [Fact]
    public async Task Without_a_password_secret_the_connection_string_is_used_as_it_is()
    {
        var secrets = new FakeSecretSource();

        var factory = Factory(secrets, options => options.PasswordSecretArn = null);

        Assert.Equal(BaseConnectionString, await factory.ConnectionStringAsync(CancellationToken.None));
        Assert.Equal(0, secrets.Reads(SecretArn));
    }

    [Fact]
    public void A_secret_setting_that_does_not_match_the_secrets_provider_stops_the_start()
    {
        var arnWithFiles = Assert.Throws<InvalidOperationException>(() => Factory(new FakeSecretSource(SecretsProvider.Files)));
        Assert.Contains("Database:PasswordPath", arnWithFiles.Message, StringComparison.Ordinal);

        var pathWithSecretsManager = Assert.Throws<InvalidOperationException>(() => Factory(new FakeSecretSource(), options =>
        {
            options.PasswordSecretArn = null;
            options.PasswordPath = "db-password";
        }));
        Assert.Contains("Database:PasswordSecretArn", pathWithSecretsManager.Message, StringComparison.Ordinal);

        var sqlite = Assert.Throws<InvalidOperationException>(() => Factory(new FakeSecretSource(), options =>
        {
            options.Provider = DatabaseProvider.Sqlite;
            options.ConnectionString = "Data Source=:memory:";
        }));
        Assert.Contains("MySQL only", sqlite.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddData_reads_the_password_through_the_configured_secret_source()
    {
        await File.WriteAllTextAsync(Path.Combine(_folder, "db-password"), $$"""{"username":"from_json","password":"{{Password}}"}""");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Production, ContentRootPath = _folder });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "MySql",
            ["Database:ConnectionString"] = BaseConnectionString,
            ["Database:PasswordPath"] = "db-password",
        });
        builder.Services.AddData();
        using var host = builder.Build();

        var connection = new MySqlConnectionStringBuilder(await host.Services.GetRequiredService<DbConnectionFactory>().ConnectionStringAsync(CancellationToken.None));

        Assert.Equal(Password, connection.Password);
        Assert.Equal("from_json", connection.UserID);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private sealed class TestEnvironment(string root) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Test";

        public string ApplicationName { get; set; } = "ReportingApi";

        public string ContentRootPath { get; set; } = root;

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = null!;
    }
}
