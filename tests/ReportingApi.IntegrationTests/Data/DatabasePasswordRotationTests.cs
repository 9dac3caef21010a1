using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MySqlConnector;
using ReportingApi.Data;
using ReportingApi.IntegrationTests.Infrastructure;
using ReportingApi.TestSupport;

namespace ReportingApi.IntegrationTests.Data;

/// <summary>
/// The MySQL password from a secret against the real MariaDB: a login refused with the cached password (error 1045)
/// reads the secret once more, so a rotated password works without a restart; and clearing the pools really closes the
/// pooled connections on the server.
/// </summary>
[Collection(MariaDbCollectionDefinition.Name)]
public sealed class DatabasePasswordRotationTests(MariaDbFixture fixture)
{
    private const string SecretArn = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:reportingapi/database-AbCdEf";

    private static string NewUser() => "rotation_" + Guid.NewGuid().ToString("N")[..10];

    private static string NewPassword() => Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));

    /// <summary>The fixture's connection string, with the configured user and password both wrong, so that only the secret can log in.</summary>
    private DbConnectionFactory Factory(FakeSecretSource secrets)
    {
        var connectionString = new MySqlConnectionStringBuilder(fixture.ConnectionString) { UserID = "nobody_configured", Password = "wrong" }.ConnectionString;
        var options = new DatabaseOptions { Provider = DatabaseProvider.MySql, ConnectionString = connectionString, PasswordSecretArn = SecretArn };
        return new DbConnectionFactory(Options.Create(options), new EmptyEnvironment(), secrets, NullLogger<DbConnectionFactory>.Instance);
    }

    private static string RdsSecret(string user, string password) => $$"""{"username":"{{user}}","password":"{{password}}","engine":"mysql"}""";

    [Fact]
    public async Task A_login_refused_with_the_cached_password_reads_the_rotated_secret_once_and_logs_in()
    {
        var (user, oldPassword, newPassword) = (NewUser(), NewPassword(), NewPassword());
        await fixture.Server.SetUserAsync(user, oldPassword, MariaDbFixture.DatabaseName);
        var secrets = new FakeSecretSource();
        secrets.Stored[SecretArn] = RdsSecret(user, oldPassword);
        var factory = Factory(secrets);
        await using (var first = await factory.OpenAsync())
        {
            Assert.Equal(user, await CurrentUserAsync(first));
        }

        // Rotation: the server and Secrets Manager get the new password; the app still caches the old one.
        await fixture.Server.SetUserAsync(user, newPassword, MariaDbFixture.DatabaseName);
        secrets.Stored[SecretArn] = RdsSecret(user, newPassword);
        MySqlConnection.ClearAllPools();

        await using (var afterRotation = await factory.OpenAsync())
        {
            Assert.Equal(user, await CurrentUserAsync(afterRotation));
        }

        Assert.Equal(2, secrets.Reads(SecretArn));

        // The new password is cached again: the next connection reads nothing.
        await using (var again = await factory.OpenAsync())
        {
            Assert.Equal(user, await CurrentUserAsync(again));
        }

        Assert.Equal(2, secrets.Reads(SecretArn));
    }

    [Fact]
    public async Task A_wrong_secret_fails_the_open_with_the_login_error_after_one_reread_and_does_not_loop()
    {
        var (user, serverPassword, secretPassword) = (NewUser(), NewPassword(), NewPassword());
        await fixture.Server.SetUserAsync(user, serverPassword, MariaDbFixture.DatabaseName);
        var secrets = new FakeSecretSource();
        secrets.Stored[SecretArn] = RdsSecret(user, secretPassword);

        var error = await Assert.ThrowsAnyAsync<MySqlException>(() => Factory(secrets).OpenAsync());

        Assert.Equal(MySqlErrorCode.AccessDenied, error.ErrorCode);
        Assert.Equal(2, secrets.Reads(SecretArn));
        Assert.DoesNotContain(secretPassword, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_plain_secret_logs_in_as_the_configured_user()
    {
        var (user, password) = (NewUser(), NewPassword());
        await fixture.Server.SetUserAsync(user, password, MariaDbFixture.DatabaseName);
        var secrets = new FakeSecretSource();
        secrets.Stored[SecretArn] = password + "\n";
        var connectionString = new MySqlConnectionStringBuilder(fixture.ConnectionString) { UserID = user, Password = "wrong" }.ConnectionString;
        var options = new DatabaseOptions { Provider = DatabaseProvider.MySql, ConnectionString = connectionString, PasswordSecretArn = SecretArn };
        var factory = new DbConnectionFactory(Options.Create(options), new EmptyEnvironment(), secrets, NullLogger<DbConnectionFactory>.Instance);

        await using var connection = await factory.OpenAsync();

        Assert.Equal(user, await CurrentUserAsync(connection));
        Assert.Equal(1, secrets.Reads(SecretArn));
    }

    [Fact]
    public async Task Clearing_the_pools_closes_the_pooled_connections_on_the_server()
    {
        var (user, password) = (NewUser(), NewPassword());
        await fixture.Server.SetUserAsync(user, password, MariaDbFixture.DatabaseName);
        var secrets = new FakeSecretSource();
        secrets.Stored[SecretArn] = RdsSecret(user, password);
        var factory = Factory(secrets);
        await using (var pooled = await factory.OpenAsync())
        {
            await pooled.ExecuteScalarAsync<int>("SELECT 1");
        }

        // A user sees its own sessions only; the observer counts itself, so one pooled session makes two.
        var observer = new MySqlConnectionStringBuilder(fixture.ConnectionString) { UserID = user, Password = password, Pooling = false }.ConnectionString;
        Assert.Equal(2, await SessionsOfAsync(observer, user));

        factory.ClearPools();

        Assert.Equal(1, await WaitForSessionsAsync(observer, user, 1));
    }

    private static async Task<string> CurrentUserAsync(DbConnection connection) =>
        (await connection.ExecuteScalarAsync<string>("SELECT CURRENT_USER()"))!.Split('@')[0];

    private static async Task<long> SessionsOfAsync(string observer, string user)
    {
        await using var connection = await MariaDbServer.ConnectionFactory(observer).OpenAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = @user", new { user });
    }

    /// <summary>The server drops a closed session a moment after the client closes the socket.</summary>
    private static async Task<long> WaitForSessionsAsync(string observer, string user, long expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        long sessions;
        while ((sessions = await SessionsOfAsync(observer, user)) != expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        return sessions;
    }

    private sealed class EmptyEnvironment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Test";

        public string ApplicationName { get; set; } = "ReportingApi";

        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = null!;
    }
}
