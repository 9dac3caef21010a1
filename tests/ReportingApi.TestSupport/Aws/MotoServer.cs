using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using ReportingApi.Aws;

namespace ReportingApi.TestSupport.Aws;

/// <summary>
/// A private moto server (<c>moto_server</c>, moto 5.2.1: AWS's APIs emulated in memory) on a free loopback port, with
/// its certificate, key and request recording in a temporary folder; killed on dispose, and it ends by itself (folder
/// and all) within a second of the test process that started it (moto-server.py).
/// <para>
/// It checks what AWS would: IAM authentication is on, so moto verifies the SigV4 signature of every request against
/// the keys of an IAM user it knows and refuses actions that user's policy does not allow. <see cref="AppCredentials"/>
/// belong to a user allowed exactly the actions serverless.template gives the function's role
/// (<see cref="FunctionRoleActions"/>, on every resource), so the app's calls are checked against its deployed permissions;
/// <see cref="AdminCredentials"/> may do anything (test setup, looking behind the app), <see cref="OutsiderCredentials"/>
/// nothing. Present from the start: the bucket <see cref="BucketName"/> (versioned, with no default encryption, so an
/// object written without SSE-KMS stays unencrypted and shows it) and the KMS key <see cref="KmsKeyArn"/>. Lambda runs
/// without Docker (<c>/moto-api/config</c> <c>use_docker: false</c>).
/// </para>
/// Most tests share <see cref="SharedAsync"/> (one per test process: moto_server takes 2.4-3.4 s to answer here, measured
/// with curl on the shared machine), which ends with the process.
/// </summary>
public sealed class MotoServer : IAsyncDisposable
{
    /// <summary>moto's default account.</summary>
    public const string AccountId = "123456789012";
    public const string Region = "eu-central-1";
    public const string BucketName = "reports";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly string[] SftpProtocol = ["SFTP"];
    private static readonly Lazy<Task<MotoServer>> Shared = new(StartSharedAsync);

    private readonly string _folder = Directory.CreateTempSubdirectory("reportingapi-moto-").FullName;
    private readonly Queue<string> _output = new();
    private readonly bool _tls;
    private Process? _process;
    private HttpClient? _plain;

    private MotoServer(bool tls) => _tls = tls;

    public int Port { get; private set; }

    /// <summary>The endpoint of every service, e.g. <c>https://127.0.0.1:40123/</c>.</summary>
    public string ServiceUrl => string.Create(CultureInfo.InvariantCulture, $"{(_tls ? "https" : "http")}://127.0.0.1:{Port}/");

    /// <summary>PEM of the server's self-signed certificate (with <c>tls</c>): the one certificate its clients trust.</summary>
    public string CaCertificatePath => Path.Combine(_folder, "moto.crt");

    public BasicAWSCredentials AdminCredentials { get; private set; } = null!;

    /// <summary>Allowed exactly <see cref="FunctionRoleActions"/>, on every resource.</summary>
    public BasicAWSCredentials AppCredentials { get; private set; } = null!;

    /// <summary>Known to moto, allowed nothing.</summary>
    public BasicAWSCredentials OutsiderCredentials { get; private set; } = null!;

    public string KmsKeyArn { get; private set; } = "";

    private string KeyPath => Path.Combine(_folder, "moto.key");

    private string RecordingPath => Path.Combine(_folder, "recording.jsonl");

    /// <summary>
    /// The server shared by the tests of this process, over HTTPS; its <see cref="AppCredentials"/> are put in the
    /// environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), where the SDK's default chain finds them as it finds the
    /// role's on Lambda.
    /// </summary>
    public static Task<MotoServer> SharedAsync() => Shared.Value;

    /// <summary>A server of one's own; <paramref name="recordRequests"/> keeps every request (<see cref="RecordedRequestsAsync"/>).</summary>
    public static async Task<MotoServer> StartAsync(bool tls = true, bool recordRequests = false)
    {
        var server = new MotoServer(tls);
        try
        {
            await server.StartProcessAsync(recordRequests);
            await server.SetUpAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>The IAM actions serverless.template gives the function's role (its own policies, not the managed ones).</summary>
    public static IReadOnlyList<string> FunctionRoleActions()
    {
        var template = JsonNode.Parse(File.ReadAllText(Path.Combine(Lambda.AppProcess.RepositoryRoot(), "serverless.template")))!;
        var resources = template["Resources"]!.AsObject();
        var function = resources.Single(r => (string?)r.Value!["Type"] == "AWS::Serverless::Function").Value!;
        var role = resources[(string)function["Properties"]!["Role"]!["Fn::GetAtt"]![0]!]!;
        return [.. role["Properties"]!["Policies"]!.AsArray()
            .SelectMany(policy => policy!["PolicyDocument"]!["Statement"]!.AsArray())
            .SelectMany(statement => statement!["Action"] is JsonArray actions ? actions.Select(a => (string)a!) : [(string)statement["Action"]!])
            .Distinct()
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>The HTTP handler for the app's hand-written AWS clients: trusts this server's certificate only.</summary>
    public HttpMessageHandler CreateTransport()
    {
        var handler = new SocketsHttpHandler();
        if (_tls)
        {
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            policy.CustomTrustStore.ImportFromPemFile(CaCertificatePath);
            handler.SslOptions = new SslClientAuthenticationOptions { CertificateChainPolicy = policy };
        }

        return handler;
    }

    /// <summary>An S3 client for looking behind the app (admin by default), over the path-style endpoint.</summary>
    public AmazonS3Client CreateS3Client(AWSCredentials? credentials = null)
    {
        var config = new AmazonS3Config { ServiceURL = ServiceUrl, ForcePathStyle = true, AuthenticationRegion = Region };
        if (_tls)
        {
            config.HttpClientFactory = new TransportFactory(this);
        }

        return new AmazonS3Client(credentials ?? AdminCredentials, config);
    }

    /// <summary>Creates a Secrets Manager secret holding <paramref name="value"/>; returns its ARN.</summary>
    public async Task<string> CreateSecretAsync(string name, string value)
    {
        var created = await JsonCallAsync("secretsmanager", "secretsmanager.CreateSecret", new { Name = name, SecretString = value });
        return created.GetProperty("ARN").GetString()!;
    }

    /// <summary>
    /// What Secrets Manager generates for a template's <c>GenerateSecretString</c> (the same parameters as GetRandomPassword).
    /// </summary>
    public async Task<string> GetRandomPasswordAsync(JsonNode generateSecretString)
    {
        var generated = await JsonCallAsync("secretsmanager", "secretsmanager.GetRandomPassword", generateSecretString);
        return generated.GetProperty("RandomPassword").GetString()!;
    }

    /// <summary>Makes <paramref name="value"/> the secret's current value (a rotation).</summary>
    public Task PutSecretValueAsync(string secretId, string value) =>
        JsonCallAsync("secretsmanager", "secretsmanager.PutSecretValue", new { SecretId = secretId, SecretString = value });

    /// <summary>Creates a Lambda function (no code runs: moto's Lambda without Docker); returns its ARN.</summary>
    public async Task<string> CreateFunctionAsync(string name)
    {
        var role = (await QueryAsync("iam", "CreateRole", new()
        {
            ["RoleName"] = name + "-role",
            ["AssumeRolePolicyDocument"] = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}""",
        })).Descendants().First(e => e.Name.LocalName == "Arn").Value;
        var created = await RestCallAsync("lambda", HttpMethod.Post, "2015-03-31/functions", new
        {
            FunctionName = name,
            Runtime = "dotnet8",
            Role = role,
            Handler = "ReportingApi",
            Code = new { ZipFile = Convert.ToBase64String(EmptyZip()) },
        });
        return created.GetProperty("FunctionArn").GetString()!;
    }

    /// <summary>Creates a Transfer Family SFTP server with service-managed users (moto keeps its users and their keys); returns its id.</summary>
    public async Task<string> CreateTransferServerAsync()
    {
        var created = await JsonCallAsync("transfer", "TransferService.CreateServer", new
        {
            Protocols = SftpProtocol,
            IdentityProviderType = "SERVICE_MANAGED",
            EndpointType = "PUBLIC",
            Domain = "S3",
        });
        return created.GetProperty("ServerId").GetString()!;
    }

    /// <summary>Every request the server received, in order (a server started with <c>recordRequests</c>).</summary>
    public async Task<IReadOnlyList<MotoRecordedRequest>> RecordedRequestsAsync()
    {
        if (!File.Exists(RecordingPath))
        {
            return [];
        }

        var requests = new List<MotoRecordedRequest>();
        foreach (var line in await File.ReadAllLinesAsync(RecordingPath))
        {
            using var entry = JsonDocument.Parse(line);
            var root = entry.RootElement;
            var body = root.GetProperty("body").GetString() ?? "";
            requests.Add(new MotoRecordedRequest(
                root.GetProperty("method").GetString()!,
                new Uri(root.GetProperty("url").GetString()!),
                root.GetProperty("headers").EnumerateObject().ToDictionary(h => h.Name, h => h.Value.GetString() ?? "", StringComparer.OrdinalIgnoreCase),
                root.GetProperty("body_encoded").GetBoolean() ? Convert.FromBase64String(body) : Encoding.UTF8.GetBytes(body)));
        }

        return requests;
    }

    /// <summary>What moto printed last: its request log (<c>"POST /path HTTP/1.1" 202 -</c>, one line per request).</summary>
    public string RecentOutput()
    {
        lock (_output)
        {
            return string.Join('\n', _output);
        }
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _plain?.Dispose();
        Directory.Delete(_folder, recursive: true);
        return ValueTask.CompletedTask;
    }

    private static async Task<MotoServer> StartSharedAsync()
    {
        var server = await StartAsync();
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", server.AppCredentials.GetCredentials().AccessKey);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", server.AppCredentials.GetCredentials().SecretKey);
        return server;
    }

    private async Task StartProcessAsync(bool recordRequests)
    {
        if (_tls)
        {
            WriteCertificate();
        }

        for (var attempt = 1; ; attempt++)
        {
            Port = FreeLoopbackPort();
            var launcher = Path.Combine(Lambda.AppProcess.RepositoryRoot(), "tests", "ReportingApi.TestSupport", "Aws", "moto-server.py");
            var arguments = new List<string> { launcher, _folder, "-H", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture) };
            if (_tls)
            {
                arguments.AddRange(["--ssl-cert", CaCertificatePath, "--ssl-key", KeyPath]);
            }

            var start = AwsTools.StartInfo(AwsTools.Python, arguments);
            start.Environment["MOTO_RECORDER_FILEPATH"] = RecordingPath;
            if (recordRequests)
            {
                start.Environment["MOTO_ENABLE_RECORDING"] = "true";
            }

            var process = OutputReadingProcess.Start(start, Remember);
            _process = process;
            _plain = new HttpClient(CreateTransport()) { BaseAddress = new Uri(ServiceUrl), Timeout = TimeSpan.FromSeconds(10) };
            if (await AnswersAsync(process))
            {
                return;
            }

            Kill();
            // A free port can be taken between asking and binding.
            if (attempt == 3)
            {
                throw new InvalidOperationException($"moto_server did not start:\n{RecentOutput()}");
            }
        }
    }

    private async Task<bool> AnswersAsync(Process process)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout && !process.HasExited)
        {
            try
            {
                using var response = await _plain!.GetAsync("moto-api/config");
                if (response.IsSuccessStatusCode)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        return false;
    }

    private async Task SetUpAsync()
    {
        var plain = _plain!;
        // moto reads these bodies by their Content-Length: no chunked JSON content.
        using (var config = await plain.PostAsync("moto-api/config", new StringContent("""{"lambda": {"use_docker": false}}""")))
        {
            config.EnsureSuccessStatusCode();
        }

        // Authentication is off until the users exist; these calls are signed anyway (with keys moto does not know yet).
        AdminCredentials = new BasicAWSCredentials("AKIAIOSFODNN7EXAMPLE", "setup");
        AdminCredentials = await CreateUserAsync("test-admin", ["*"]);
        AppCredentials = await CreateUserAsync("reportingapi-function", [.. FunctionRoleActions().Select(AsMotoNamesIt)]);
        OutsiderCredentials = await CreateUserAsync("outsider", []);

        using (var authentication = await plain.PostAsync("moto-api/reset-auth", new StringContent("0")))
        {
            authentication.EnsureSuccessStatusCode();
        }

        var key = await JsonCallAsync("kms", "TrentService.CreateKey", new { Description = "reports bucket key (tests)" });
        KmsKeyArn = key.GetProperty("KeyMetadata").GetProperty("Arn").GetString()!;
        using var s3 = CreateS3Client();
        await s3.PutBucketAsync(new PutBucketRequest { BucketName = BucketName, BucketRegionName = Region });
        await s3.PutBucketVersioningAsync(new PutBucketVersioningRequest
        {
            BucketName = BucketName,
            VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled },
        });
    }

    /// <summary>
    /// moto 5.2.1 names the action of an API call after the operation (<c>lambda:Invoke</c>), where IAM names it
    /// <c>lambda:InvokeFunction</c>; S3 actions it names as IAM does.
    /// </summary>
    private static string AsMotoNamesIt(string action) => action == "lambda:InvokeFunction" ? "lambda:Invoke" : action;

    private async Task<BasicAWSCredentials> CreateUserAsync(string name, IReadOnlyList<string> actions)
    {
        await QueryAsync("iam", "CreateUser", new() { ["UserName"] = name });
        if (actions.Count > 0)
        {
            var policy = new { Version = "2012-10-17", Statement = new[] { new { Effect = "Allow", Action = actions, Resource = "*" } } };
            await QueryAsync("iam", "PutUserPolicy", new() { ["UserName"] = name, ["PolicyName"] = "tests", ["PolicyDocument"] = JsonSerializer.Serialize(policy) });
        }

        var key = (await QueryAsync("iam", "CreateAccessKey", new() { ["UserName"] = name })).Descendants().ToList();
        return new BasicAWSCredentials(
            key.First(e => e.Name.LocalName == "AccessKeyId").Value,
            key.First(e => e.Name.LocalName == "SecretAccessKey").Value);
    }

    private async Task<XDocument> QueryAsync(string service, string action, Dictionary<string, string> parameters)
    {
        parameters["Action"] = action;
        parameters["Version"] = "2010-05-08";
        using var request = new HttpRequestMessage(HttpMethod.Post, ServiceUrl) { Content = new FormUrlEncodedContent(parameters) };
        return XDocument.Parse(await SendAsAdminAsync(service, request));
    }

    private async Task<JsonElement> JsonCallAsync(string service, string target, object body)
    {
        using var request = AwsJsonService.CreateRequest(new Uri(ServiceUrl), target, JsonSerializer.SerializeToUtf8Bytes(body));
        return JsonDocument.Parse(await SendAsAdminAsync(service, request)).RootElement.Clone();
    }

    private async Task<JsonElement> RestCallAsync(string service, HttpMethod method, string path, object body)
    {
        using var request = new HttpRequestMessage(method, new Uri(new Uri(ServiceUrl), path))
        {
            Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body)) { Headers = { ContentType = new("application/json") } },
        };
        return JsonDocument.Parse(await SendAsAdminAsync(service, request)).RootElement.Clone();
    }

    private async Task<string> SendAsAdminAsync(string service, HttpRequestMessage request)
    {
        using var client = AwsJsonService.CreateSigningClient(AdminCredentials, RegionEndpoint.GetBySystemName(Region), service, TimeSpan.FromSeconds(30), CreateTransport());
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode
            ? text
            : throw new InvalidOperationException($"moto refused {service} {request.Method} {request.RequestUri} ({(int)response.StatusCode}): {text}");
    }

    private static byte[] EmptyZip()
    {
        using var buffer = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(buffer, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        {
            zip.CreateEntry("placeholder.txt");
        }

        return buffer.ToArray();
    }

    private void WriteCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=moto test server", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(CaCertificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(KeyPath, key.ExportPkcs8PrivateKeyPem());
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Remember(string line)
    {
        lock (_output)
        {
            _output.Enqueue(line);
            while (_output.Count > 50)
            {
                _output.Dequeue();
            }
        }
    }

    private void Kill()
    {
        using var process = Interlocked.Exchange(ref _process, null);
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
    }

    /// <summary>The SDK's HttpClients for an S3 client of this server: they trust its certificate.</summary>
    private sealed class TransportFactory(MotoServer server) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(server.CreateTransport(), disposeHandler: true);

        public override string? GetConfigUniqueString(IClientConfig clientConfig) => null;
    }
}

/// <summary>One request as moto recorded it.</summary>
public sealed record MotoRecordedRequest(string Method, Uri Url, IReadOnlyDictionary<string, string> Headers, byte[] Body);
