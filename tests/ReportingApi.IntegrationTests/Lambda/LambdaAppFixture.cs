using ReportingApi.TestSupport;
using ReportingApi.TestSupport.Aws;
using ReportingApi.TestSupport.Lambda;

namespace ReportingApi.IntegrationTests.Lambda;

/// <summary>
/// The app's built assembly as a separate process, started the way Lambda starts it (only
/// <c>AWS_LAMBDA_RUNTIME_API</c> and the function's variables set) against a <see cref="FakeRuntimeApi"/>, on the
/// embedded SQLite demo data in a temporary folder. Lambda Invoke (the self-invocation of report runs) goes to a moto
/// server of the fixture's own that records every request (<see cref="InvocationsAsync"/>), where the function exists;
/// Transfer Family, which moto lacks, to the hand-made fake, whose connector acts on the app's object folder and
/// <see cref="RemoteRoot"/>. Both check the signatures of moto's user allowed what the template gives the function.
/// </summary>
public sealed class LambdaAppFixture : IAsyncLifetime
{
    /// <summary>The first start creates and fills the demo database; a cold CI machine with 2 cores needs time.</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    public const int DemoContracts = 6000;

    public const int MaxPeriodDays = 1096;

    public const string SourceBucket = "reports-bucket";

    private readonly string _folder = Directory.CreateTempSubdirectory("reportingapi-lambda-e2e-").FullName;

    public FakeRuntimeApi Runtime { get; private set; } = null!;

    public AppProcess App { get; private set; } = null!;

    /// <summary>Lambda, on moto over plain HTTP (the app trusts only the system's certificates).</summary>
    public MotoServer Lambda { get; private set; } = null!;

    public FakeTransferService Transfer { get; private set; } = null!;

    public FakeSftpConnector Connector { get; private set; } = null!;

    /// <summary>The token issuer the app is configured with, as on AWS (no local token endpoint); API Gateway's authorizer stands before it.</summary>
    public FakeCognitoIssuer Issuer { get; private set; } = null!;

    /// <summary>The partners' SFTP servers as the fake connector sees them: remote paths under this folder.</summary>
    public string RemoteRoot => Path.Combine(_folder, "remote");

    /// <summary>The app's embedded SQLite database (as <see cref="AppProcess.LambdaEnvironment"/> configures it).</summary>
    public string DatabasePath => Path.Combine(_folder, "lambda.db");

    /// <summary>The root of the app's folder object store.</summary>
    public string ObjectsFolder => Path.Combine(_folder, "objects");

    /// <summary>The folder that stands for a demo partner's SFTP server (DemoOnboarding's folder delivery).</summary>
    public string SftpFolder(string clientId) => Path.Combine(_folder, "sftp", clientId);

    public async Task InitializeAsync()
    {
        Runtime = await FakeRuntimeApi.StartAsync();
        Lambda = await MotoServer.StartAsync(tls: false, recordRequests: true);
        Issuer = await FakeCognitoIssuer.StartAsync();
        var environment = AppProcess.LambdaEnvironment(Runtime.Address, _folder);
        environment["LocalTokenEndpoint__Enabled"] = "false";
        environment["Authentication__Issuer"] = Issuer.Issuer;
        await Lambda.CreateFunctionAsync(environment["AWS_LAMBDA_FUNCTION_NAME"]!);
        var credentials = Lambda.AppCredentials.GetCredentials();
        Connector = new FakeSftpConnector(key => Path.Combine(ObjectsFolder, key), SourceBucket, RemoteRoot);
        Transfer = await FakeTransferService.StartAsync(Connector.Handle, (credentials.AccessKey, credentials.SecretKey));
        // demo-acme sees employers 1-4 of max(12, contracts / 500): 6,000 contracts give it the largest share (a year of
        // installments as JSON: 3.6 MB); a longer period than the default 366 days takes the report past 6 MB.
        environment["Database__DemoDataContracts"] = DemoContracts.ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment["Reports__MaxPeriodDays"] = MaxPeriodDays.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // The default credential chain finds these, as it finds the role's on Lambda.
        environment["AWS_ACCESS_KEY_ID"] = credentials.AccessKey;
        environment["AWS_SECRET_ACCESS_KEY"] = credentials.SecretKey;
        environment["Runs__Lambda__ServiceUrl"] = Lambda.ServiceUrl;
        environment["Transfer__ServiceUrl"] = Transfer.Url.ToString();
        environment["Transfer__Connector__SourceBucket"] = SourceBucket;
        App = AppProcess.Start(AppProcess.BuiltAppAssembly(), environment);
        await App.WaitUntilAsync(Runtime.NextRequested, StartTimeout);
    }

    /// <summary>The Invoke requests Lambda (moto) accepted so far, in order.</summary>
    public async Task<IReadOnlyList<MotoRecordedRequest>> InvocationsAsync() =>
        [.. (await Lambda.RecordedRequestsAsync()).Where(request => request.Method == "POST" && request.Url.AbsolutePath.EndsWith("/invocations", StringComparison.Ordinal))];

    /// <summary>Sends one event and returns what the function posted back, with the app's output on failure.</summary>
    public async Task<RuntimePost> InvokeAsync(string lambdaEvent)
    {
        try
        {
            return await Runtime.InvokeAsync(lambdaEvent);
        }
        catch (TimeoutException exception)
        {
            throw new TimeoutException("No answer from the app.\n" + App.Output, exception);
        }
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Runtime.DisposeAsync();
        await Transfer.DisposeAsync();
        await Lambda.DisposeAsync();
        await Issuer.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}
