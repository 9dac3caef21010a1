using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Amazon.S3;
using ReportingApi.Storage;

namespace ReportingApi.IntegrationTests.Infrastructure;

/// <summary>
/// A private s3rver 3.7.1 (the S3 stand-in) over HTTPS on a loopback port, with its data in a temporary folder and a
/// self-signed certificate made for it; the bucket <see cref="BucketName"/> exists from the start. Clients trust that
/// certificate only, through <c>ObjectStore:S3:CaCertificatePath</c>. s3rver accepts only the access key
/// <see cref="AccessKeyId"/>; <see cref="InitializeAsync"/> puts it in the environment (AWS_ACCESS_KEY_ID /
/// AWS_SECRET_ACCESS_KEY), where the SDK's default credential chain finds it, as it would find real ones in AWS.
/// Use as a collection or class fixture, or start one of your own to stop it mid-test (<see cref="Stop"/>,
/// <see cref="StartAsync"/> again: same port, same data). Needs node and tests/install/s3rver.sh.
/// </summary>
public sealed partial class S3rverServer : IAsyncLifetime
{
    /// <summary>The only key pair s3rver knows (it checks no SigV4 signatures, but does check the key id).</summary>
    public const string AccessKeyId = "S3RVER";
    public const string SecretAccessKey = "S3RVER";
    public const string Region = "us-east-1";

    private const string ScriptRelativePath = ".tools/node_modules/s3rver/bin/s3rver.js";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly string _root = Path.Combine(Path.GetTempPath(), "reportingapi-s3rver-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly Queue<string> _output = new();
    private Process? _process;

    /// <summary>Created at start; set another name with an object initializer before starting.</summary>
    public string BucketName { get; init; } = "reports";

    /// <summary>Fixed at the first start, kept across restarts.</summary>
    public int Port { get; private set; }

    /// <summary>The endpoint, e.g. <c>https://127.0.0.1:40123</c>.</summary>
    public string ServiceUrl => string.Create(CultureInfo.InvariantCulture, $"https://127.0.0.1:{Port}");

    /// <summary>PEM of the server's self-signed certificate: the one certificate clients of this server trust.</summary>
    public string CaCertificatePath => Path.Combine(_root, "tls", "s3rver.crt");

    private string KeyPath => Path.Combine(_root, "tls", "s3rver.key");

    private string DataDirectory => Path.Combine(_root, "data");

    public bool IsRunning => _process is { HasExited: false };

    public async Task InitializeAsync()
    {
        UseDummyCredentials();
        // A test host torn down without disposing fixtures must not leave a server behind.
        AppDomain.CurrentDomain.ProcessExit += KillOnExit;
        Directory.CreateDirectory(DataDirectory);
        WriteCertificate();
        await StartAsync();
    }

    public Task DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= KillOnExit;
        try
        {
            Stop();
        }
        finally
        {
            if (Directory.Exists(_root))
            {
                Directory.Delete(_root, recursive: true);
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Puts s3rver's dummy key pair where the SDK's default credential chain looks first.</summary>
    public static void UseDummyCredentials()
    {
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", AccessKeyId);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", SecretAccessKey);
    }

    /// <summary>Starts s3rver (again): on the port of the first start, with the same data.</summary>
    public async Task StartAsync()
    {
        if (IsRunning)
        {
            return;
        }

        var script = FindScript();
        var startInfo = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            script, "--directory", DataDirectory, "--address", "127.0.0.1",
            "--port", Port.ToString(CultureInfo.InvariantCulture), "--silent",
            "--key", KeyPath, "--cert", CaCertificatePath, "--no-vhost-buckets", "--configure-bucket", BucketName,
        })
        {
            startInfo.ArgumentList.Add(argument);
        }

        // Listing with continuation tokens needs the legacy provider on Node 17+ (see DESIGN.md).
        startInfo.Environment["NODE_OPTIONS"] = "--openssl-legacy-provider";

        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, line) => OnOutput(line.Data, listening);
        process.ErrorDataReceived += (_, line) => OnOutput(line.Data, listening: null);
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"s3rver exited at start:\n{RecentOutput()}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        try
        {
            Port = await listening.Task.WaitAsync(StartTimeout);
        }
        catch (TimeoutException)
        {
            Stop();
            throw new InvalidOperationException($"s3rver did not listen within {StartTimeout.TotalSeconds} s:\n{RecentOutput()}");
        }
    }

    /// <summary>Kills s3rver at once, as a crash would; <see cref="StartAsync"/> brings it back.</summary>
    public void Stop()
    {
        var process = _process;
        _process = null;
        if (process is null)
        {
            return;
        }

        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(StopTimeout);
        }

        process.Dispose();
    }

    /// <summary>Store settings for this server: path style, HTTPS with this server's certificate, s3rver's payload options.</summary>
    public S3StoreOptions CreateStoreOptions(string? keyPrefix = null, string? kmsKeyId = null, int partSizeBytes = S3StoreOptions.MinimumPartSizeBytes) => new()
    {
        BucketName = BucketName,
        KeyPrefix = keyPrefix,
        Region = Region,
        ServiceUrl = ServiceUrl,
        ForcePathStyle = true,
        KmsKeyId = kmsKeyId,
        PartSizeBytes = partSizeBytes,
        DisablePayloadSigning = true,
        RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
        CaCertificatePath = CaCertificatePath,
    };

    /// <summary>The same settings as app configuration (<c>ObjectStore:*</c>), e.g. for a WebApplicationFactory.</summary>
    public Dictionary<string, string?> CreateConfiguration(string? keyPrefix = null, string? kmsKeyId = null, int partSizeBytes = S3StoreOptions.MinimumPartSizeBytes)
    {
        var options = CreateStoreOptions(keyPrefix, kmsKeyId, partSizeBytes);
        const string S3 = $"{ObjectStoreOptions.Section}:{nameof(ObjectStoreOptions.S3)}:";
        return new Dictionary<string, string?>
        {
            [$"{ObjectStoreOptions.Section}:{nameof(ObjectStoreOptions.Provider)}"] = nameof(ObjectStoreProvider.S3),
            [S3 + nameof(S3StoreOptions.BucketName)] = options.BucketName,
            [S3 + nameof(S3StoreOptions.KeyPrefix)] = options.KeyPrefix,
            [S3 + nameof(S3StoreOptions.Region)] = options.Region,
            [S3 + nameof(S3StoreOptions.ServiceUrl)] = options.ServiceUrl,
            [S3 + nameof(S3StoreOptions.ForcePathStyle)] = "true",
            [S3 + nameof(S3StoreOptions.KmsKeyId)] = options.KmsKeyId,
            [S3 + nameof(S3StoreOptions.PartSizeBytes)] = options.PartSizeBytes.ToString(CultureInfo.InvariantCulture),
            [S3 + nameof(S3StoreOptions.DisablePayloadSigning)] = "true",
            [S3 + nameof(S3StoreOptions.RequestChecksumCalculation)] = options.RequestChecksumCalculation.ToString(),
            [S3 + nameof(S3StoreOptions.CaCertificatePath)] = options.CaCertificatePath,
        };
    }

    /// <summary>A raw S3 client for this server (to look behind the store, or create more buckets).</summary>
    public AmazonS3Client CreateS3Client() => S3ClientFactory.Create(CreateStoreOptions());

    private void OnOutput(string? line, TaskCompletionSource<int>? listening)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Enqueue(line);
            while (_output.Count > 50)
            {
                _output.Dequeue();
            }
        }

        if (listening is not null && ListeningLine().Match(line) is { Success: true } match)
        {
            listening.TrySetResult(int.Parse(match.Groups["port"].Value, CultureInfo.InvariantCulture));
        }
    }

    private string RecentOutput()
    {
        lock (_output)
        {
            return string.Join('\n', _output);
        }
    }

    private void WriteCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=s3rver test server", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));

        Directory.CreateDirectory(Path.GetDirectoryName(KeyPath)!);
        File.WriteAllText(CaCertificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(KeyPath, key.ExportPkcs8PrivateKeyPem());
    }

    private static string FindScript()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            foreach (var candidate in new[] { Path.Combine(directory.FullName, ScriptRelativePath), Path.Combine(directory.FullName, "tests", ScriptRelativePath) })
            {
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new InvalidOperationException($"s3rver is not installed (no tests/{ScriptRelativePath}); run tests/install/s3rver.sh.");
    }

    private void KillOnExit(object? sender, EventArgs e) => Stop();

    [GeneratedRegex(@"S3rver listening on .+:(?<port>\d+)$")]
    private static partial Regex ListeningLine();
}
