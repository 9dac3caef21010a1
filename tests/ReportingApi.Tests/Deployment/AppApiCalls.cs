using System.Text.RegularExpressions;

namespace ReportingApi.Tests.Deployment;

/// <summary>
/// The AWS API calls the app makes, read from the source of its AWS clients (so a new call fails the deploy dry run
/// until the template allows it), and the IAM actions each needs on Lambda.
/// </summary>
internal static partial class AppApiCalls
{
    public const string S3Client = "src/ReportingApi/Storage/S3ObjectStore.cs";
    public const string SecretsManagerClient = "src/ReportingApi/Secrets/SecretsManagerClient.cs";
    public const string TransferClient = "src/ReportingApi/Delivery/Connector/TransferConnectorClient.cs";
    public const string TransferUserClient = "src/ReportingApi/SftpUsers/TransferUserClient.cs";
    public const string LambdaClient = "src/ReportingApi/Runs/Lambda/LambdaRunDispatcher.cs";

    /// <summary>
    /// The IAM actions of each S3 call of the store (AWSSDK.S3 method names). Objects are written with SSE-KMS, so writes
    /// need kms:GenerateDataKey and reads, copies and multipart completions kms:Decrypt. Reads need s3:ListBucket too:
    /// without it S3 answers a missing key with 403 instead of the 404 that the store turns into "not found".
    /// </summary>
    private static readonly Dictionary<string, string[]> S3Actions = new()
    {
        ["PutObject"] = ["s3:PutObject", "kms:GenerateDataKey"],
        ["InitiateMultipartUpload"] = ["s3:PutObject", "kms:GenerateDataKey"],
        ["UploadPart"] = ["s3:PutObject"],
        ["CompleteMultipartUpload"] = ["s3:PutObject", "kms:Decrypt"],
        ["AbortMultipartUpload"] = ["s3:AbortMultipartUpload"],
        ["GetObject"] = ["s3:GetObject", "s3:ListBucket", "kms:Decrypt"],
        ["GetObjectMetadata"] = ["s3:GetObject", "s3:ListBucket"],
        ["CopyObject"] = ["s3:GetObject", "s3:PutObject", "kms:Decrypt", "kms:GenerateDataKey"],
        ["CopyPart"] = ["s3:GetObject", "s3:PutObject", "kms:Decrypt"],
        ["DeleteObject"] = ["s3:DeleteObject"],
    };

    /// <summary>Calls that hand a role to Transfer Family (the user's <c>Role</c>): the caller must be allowed to pass it.</summary>
    private static readonly string[] TransferCallsPassingRole = ["CreateUser", "UpdateUser"];

    /// <summary>Not API calls of the app: Lambda writes the function's output to its log group with the role.</summary>
    private static readonly string[] RuntimeActions = ["logs:CreateLogStream", "logs:PutLogEvents"];

    public static IReadOnlyList<string> S3Operations() => Matches(S3Client, S3Call());

    public static IReadOnlyList<string> SecretsManagerOperations() => Matches(SecretsManagerClient, SecretsManagerTarget());

    public static IReadOnlyList<string> TransferOperations() => Matches(TransferClient, TransferCall());

    public static IReadOnlyList<string> TransferUserOperations() => Matches(TransferUserClient, TransferCall());

    public static IReadOnlyList<string> LambdaOperations() => Matches(LambdaClient, LambdaInvokePath()).Count > 0 ? ["Invoke"] : [];

    /// <summary>Every IAM action the function's role needs, sorted.</summary>
    public static IReadOnlyList<string> RequiredActions()
    {
        List<string> actions =
        [
            .. S3Operations().SelectMany(operation => S3Actions.TryGetValue(operation, out var s3Actions)
                ? s3Actions
                : throw new InvalidOperationException($"{S3Client} calls S3 {operation}: add the IAM actions it needs to {nameof(AppApiCalls)} and serverless.template.")),
            .. SecretsManagerOperations().Select(operation => "secretsmanager:" + operation),
            .. TransferOperations().Select(operation => "transfer:" + operation),
            .. TransferUserOperations().Select(operation => "transfer:" + operation),
            .. TransferUserOperations().Intersect(TransferCallsPassingRole).Select(_ => "iam:PassRole"),
            .. LambdaOperations().Select(_ => "lambda:InvokeFunction"),
            .. RuntimeActions,
        ];
        return [.. actions.Distinct().Order(StringComparer.Ordinal)];
    }

    private static List<string> Matches(string file, Regex pattern) =>
        [.. pattern.Matches(File.ReadAllText(DeploymentFiles.PathOf(file))).Select(match => match.Groups[1].Value).Distinct()];

    [GeneratedRegex(@"_client\.(\w+)Async\(")]
    private static partial Regex S3Call();

    [GeneratedRegex(@"""secretsmanager\.(\w+)""")]
    private static partial Regex SecretsManagerTarget();

    [GeneratedRegex(@"InvokeAsync\(\s*""(\w+)""")]
    private static partial Regex TransferCall();

    [GeneratedRegex(@"(/invocations)""")]
    private static partial Regex LambdaInvokePath();
}
