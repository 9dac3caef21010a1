using System.Collections.Concurrent;
using System.Text.Json;
using Amazon.Runtime;
using ReportingApi.Secrets;
using ReportingApi.TestSupport.Aws;

namespace ReportingApi.Tests.Secrets;

/// <summary>
/// Secrets Manager on the test process's shared <see cref="MotoServer"/>, which answers the app's
/// <see cref="SecretsManagerClient"/> (and checks its signatures and permissions). Secrets get names of this instance's
/// own; <see cref="RequestedIds"/> lists the GetSecretValue calls its clients sent, recorded under their signer.
/// </summary>
internal sealed class MotoSecretsManager
{
    private readonly string _namePrefix = "tests/" + Guid.NewGuid().ToString("N")[..8] + "/";
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    private MotoSecretsManager(MotoServer server) => Server = server;

    public MotoServer Server { get; }

    /// <summary>The SecretId of every GetSecretValue call sent, in order.</summary>
    public IReadOnlyList<string> RequestedIds =>
        [.. _requests.Where(r => r.Header("X-Amz-Target") == "secretsmanager.GetSecretValue")
            .Select(r => JsonDocument.Parse(r.Body!).RootElement.GetProperty("SecretId").GetString()!)];

    public static async Task<MotoSecretsManager> StartAsync() => new(await MotoServer.SharedAsync());

    /// <summary>Creates a secret holding <paramref name="value"/>; returns its ARN (as moto makes it: name and a random suffix).</summary>
    public Task<string> CreateAsync(string name, string value) => Server.CreateSecretAsync(_namePrefix + name, value);

    /// <summary>An ARN this test's names could have, for which no secret exists.</summary>
    public string MissingArn(string name) =>
        $"arn:aws:secretsmanager:{MotoServer.Region}:{MotoServer.AccountId}:secret:{_namePrefix}{name}-AbCdEf";

    public SecretsOptions Options(int cacheSeconds = 300) => new()
    {
        Provider = SecretsProvider.SecretsManager,
        Region = MotoServer.Region,
        ServiceUrl = Server.ServiceUrl,
        CacheSeconds = cacheSeconds,
    };

    /// <summary>A client signing as the app's user (allowed what the template gives the function), unless told otherwise.</summary>
    public SecretsManagerClient CreateClient(AWSCredentials? credentials = null, int cacheSeconds = 300) =>
        new(Options(cacheSeconds), credentials ?? Server.AppCredentials, new RecordingHandler(Server.CreateTransport(), _requests, keepBodies: true));
}
