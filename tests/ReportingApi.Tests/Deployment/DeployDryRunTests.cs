using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using ReportingApi.Tests.Api;
using ReportingApi.TestSupport;
using ReportingApi.TestSupport.Aws;
using ReportingApi.Webhooks;

namespace ReportingApi.Tests.Deployment;

/// <summary>
/// A deploy dry run: serverless.template through the SAM transform (aws-sam-translator, by way of cfn-lint's wrapper:
/// sam-transform.py), which lists the CloudFormation resources a <c>sam deploy</c> would create. The tests check the
/// ones the app depends on there, and so check SAM's reading of the template, not ours.
/// </summary>
public sealed partial class DeployDryRunTests
{
    private const string Authorizer = "CognitoAuthorizer";
    private const string ReadScope = "reports/read";
    private const string DeliverScope = "reports/deliver";
    private const string AdminScope = "reports/admin";

    /// <summary>Actions on data: never allowed on every resource.</summary>
    private static readonly string[] DataServicePrefixes = ["s3:", "kms:", "secretsmanager:", "transfer:", "lambda:"];

    private static readonly Lazy<Task<JsonObject>> Transformed = new(TransformAsync);

    [Fact]
    public async Task The_function_runs_the_app_assembly_on_dotnet10_with_its_role_and_snapstart_on_published_versions()
    {
        var template = await Transformed.Value;
        var (name, function) = Assert.Single(ResourcesOfType(template, "AWS::Lambda::Function"));
        var properties = function["Properties"]!;

        Assert.Equal("ReportingFunction", name);
        Assert.Equal("dotnet10", (string?)properties["Runtime"]);
        Assert.Equal(DeploymentFiles.AppAssemblyName(), (string?)properties["Handler"]);
        Assert.Equal(["x86_64"], AsStrings(properties["Architectures"]));
        Assert.Equal("PublishedVersions", (string?)properties["SnapStart"]!["ApplyOn"]);
        Assert.Equal("${AWS::StackName}-reporting", (string?)properties["FunctionName"]!["Fn::Sub"]);
        Assert.Equal(["FunctionRole", "Arn"], AsStrings(properties["Role"]!["Fn::GetAtt"]));
        Assert.NotNull(properties["VpcConfig"]!["SubnetIds"]);
    }

    [Fact]
    public async Task SnapStart_has_a_published_version_behind_the_live_alias_and_everything_invokes_the_alias()
    {
        var template = await Transformed.Value;
        var (aliasName, alias) = Assert.Single(ResourcesOfType(template, "AWS::Lambda::Alias"));
        var (versionName, version) = Assert.Single(ResourcesOfType(template, "AWS::Lambda::Version"));

        Assert.Equal("live", (string?)alias["Properties"]!["Name"]);
        Assert.Equal("ReportingFunction", (string?)alias["Properties"]!["FunctionName"]!["Ref"]);
        Assert.Equal([versionName, "Version"], AsStrings(alias["Properties"]!["FunctionVersion"]!["Fn::GetAtt"]));
        Assert.Equal("ReportingFunction", (string?)version["Properties"]!["FunctionName"]!["Ref"]);
        // A call to the unqualified function runs $LATEST, which SnapStart does not apply to.
        Assert.All(ApiRoutes(template), route => Assert.Contains("${" + aliasName + "}", route.IntegrationUri, StringComparison.Ordinal));
        Assert.All(Rules(template), rule => Assert.Equal(aliasName, (string?)Assert.Single(rule["Properties"]!["Targets"]!.AsArray())!["Arn"]!["Ref"]));
        Assert.All(
            ResourcesOfType(template, "AWS::Lambda::Permission"),
            permission => Assert.Equal(aliasName, (string?)permission.Value["Properties"]!["FunctionName"]!["Ref"]));
        Assert.Equal("${AWS::StackName}-reporting:live", (string?)FunctionVariables(template)["Runs__Lambda__FunctionName"]!["Fn::Sub"]);
    }

    [Fact]
    public async Task The_function_environment_selects_the_AWS_providers_with_secrets_by_reference()
    {
        var variables = FunctionVariables(await Transformed.Value);

        Assert.Equal("Production", (string?)variables["ASPNETCORE_ENVIRONMENT"]);
        Assert.Equal("MySql", (string?)variables["Database__Provider"]);
        Assert.DoesNotContain("Password", (string)variables["Database__ConnectionString"]!["Fn::Sub"]!, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("SslMode=Required", (string)variables["Database__ConnectionString"]!["Fn::Sub"]!, StringComparison.Ordinal);
        Assert.Equal("0", (string?)variables["Database__DemoDataContracts"]);
        Assert.Equal("DatabaseSecret", (string?)variables["Database__PasswordSecretArn"]!["Ref"]);
        Assert.Equal("S3", (string?)variables["ObjectStore__Provider"]);
        Assert.Equal("ReportsBucket", (string?)variables["ObjectStore__S3__BucketName"]!["Ref"]);
        Assert.Equal(["ReportsKey", "Arn"], AsStrings(variables["ObjectStore__S3__KmsKeyId"]!["Fn::GetAtt"]));
        Assert.Equal("AWS::Region", (string?)variables["Transfer__Region"]!["Ref"]);
        Assert.Equal("ReportsBucket", (string?)variables["Transfer__Connector__SourceBucket"]!["Ref"]);
        Assert.StartsWith("partners/", (string?)variables["Transfer__Connector__StagingPrefix"], StringComparison.Ordinal);
        Assert.Equal("Events", (string?)variables["Transfer__Connector__Completion"]);
        Assert.Equal("SecretsManager", (string?)variables["Secrets__Provider"]);
        Assert.Equal("PgpSecretKeySecret", (string?)variables["Pgp__SecretKeySecretArn"]!["Ref"]);
        Assert.Equal("PgpPassphraseSecret", (string?)variables["Pgp__PassphraseSecretArn"]!["Ref"]);
        Assert.Equal("WebhookEncryptionKeySecret", (string?)variables["Webhooks__EncryptionKeySecret"]!["Ref"]);
        Assert.Equal("https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}", (string?)variables["Authentication__Issuer"]!["Fn::Sub"]);
        Assert.Equal("Json", (string?)variables["Logging__Format"]);
        Assert.Equal("true", (string?)variables["Metrics__Emf"]);
    }

    [Fact]
    public async Task The_http_api_validates_cognito_access_tokens_of_the_user_pool()
    {
        var template = await Transformed.Value;
        var (_, api) = Assert.Single(ResourcesOfType(template, "AWS::ApiGatewayV2::Api"));
        var scheme = api["Properties"]!["Body"]!["components"]!["securitySchemes"]![Authorizer]!["x-amazon-apigateway-authorizer"]!;

        Assert.True((bool?)api["Properties"]!["FailOnWarnings"]);
        Assert.Equal("jwt", (string?)scheme["type"]);
        Assert.Equal("$request.header.Authorization", (string?)scheme["identitySource"]);
        Assert.Equal("https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}", (string?)scheme["jwtConfiguration"]!["issuer"]!["Fn::Sub"]);
        Assert.Contains("${OperatorClient},${PartnerClientIds}", scheme["jwtConfiguration"]!["audience"]!.ToJsonString(), StringComparison.Ordinal);
        var stage = Assert.Single(ResourcesOfType(template, "AWS::ApiGatewayV2::Stage")).Value["Properties"]!;
        Assert.Equal("$default", (string?)stage["StageName"]);
        Assert.True((bool?)stage["AutoDeploy"]);
    }

    [Theory]
    [InlineData("GET", "/v1/reports", ReadScope)]
    [InlineData("GET", "/v1/reports/{report}", ReadScope)]
    [InlineData("POST", "/v1/report-runs", DeliverScope)]
    [InlineData("GET", "/v1/report-runs", DeliverScope)]
    [InlineData("GET", "/v1/report-runs/{id}", DeliverScope)]
    [InlineData("GET", "/v1/report-runs/{id}/file", DeliverScope)]
    [InlineData("POST", "/v1/report-runs/{id}/redeliver", DeliverScope)]
    [InlineData("ANY", "/v1/subscriptions", DeliverScope)]
    [InlineData("ANY", "/v1/subscriptions/{proxy+}", DeliverScope)]
    [InlineData("GET", "/v1/audit", DeliverScope)]
    [InlineData("GET", "/v1/inbound-files", DeliverScope)]
    [InlineData("GET", "/v1/inbound-files/{id}", DeliverScope)]
    [InlineData("ANY", "/v1/admin/{proxy+}", AdminScope)]
    [InlineData("GET", "/health/live", null)]
    [InlineData("GET", "/health/ready", null)]
    [InlineData("GET", "/swagger/{proxy+}", null)]
    public async Task Each_route_has_the_jwt_authorizer_with_its_scope_or_is_public(string method, string path, string? scope)
    {
        var route = Assert.Single(ApiRoutes(await Transformed.Value), r => r.Method == method && r.Path == path);

        Assert.Equal(scope is null ? "NONE" : Authorizer, route.Authorizer);
        Assert.Equal(scope is null ? [] : [scope], route.Scopes);
    }

    [Fact]
    public async Task The_routes_are_exactly_the_ones_above_and_use_the_three_scopes_of_the_resource_server()
    {
        var template = await Transformed.Value;
        var routes = ApiRoutes(template);
        var server = Assert.Single(ResourcesOfType(template, "AWS::Cognito::UserPoolResourceServer")).Value["Properties"]!;

        Assert.Equal(16, routes.Count);
        Assert.Equal("reports", (string?)server["Identifier"]);
        Assert.Equal(["admin", "deliver", "read"], server["Scopes"]!.AsArray().Select(s => (string)s!["ScopeName"]!).Order());
        Assert.Equal([AdminScope, DeliverScope, ReadScope], routes.SelectMany(r => r.Scopes).Distinct().Order());
    }

    [Fact]
    public async Task Every_endpoint_of_the_app_is_behind_a_route()
    {
        var routes = ApiRoutes(await Transformed.Value);
        var folder = Directory.CreateTempSubdirectory("reportingapi-dry-run-");
        try
        {
            var settings = new Dictionary<string, string?>(SqliteApiFixture.Settings(Path.Combine(folder.FullName, "app.db"))) { ["Database:DemoDataContracts"] = "0" };
            using var app = new ReportingApiFactory(settings);
            var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
                .Where(endpoint => endpoint.RoutePattern.RawText != LocalTokenPath)
                .SelectMany(endpoint => (endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                    .Select(method => (Method: method, Path: SamplePath(endpoint.RoutePattern.RawText!))))
                .ToList();

            Assert.Contains(endpoints, endpoint => endpoint.Path == "/v1/admin/partners/x/delivery");
            Assert.All(endpoints, endpoint => Assert.True(
                routes.Any(route => route.Matches(endpoint.Method, endpoint.Path)),
                $"{endpoint.Method} {endpoint.Path} has no route on the HTTP API."));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task The_bucket_is_encrypted_with_the_stack_key_versioned_never_public_and_refuses_requests_without_tls()
    {
        var template = await Transformed.Value;
        var bucket = Resource(template, "ReportsBucket", "AWS::S3::Bucket")["Properties"]!;
        var encryption = bucket["BucketEncryption"]!["ServerSideEncryptionConfiguration"]!.AsArray().Single()!;

        Assert.Equal("aws:kms", (string?)encryption["ServerSideEncryptionByDefault"]!["SSEAlgorithm"]);
        Assert.Equal(["ReportsKey", "Arn"], AsStrings(encryption["ServerSideEncryptionByDefault"]!["KMSMasterKeyID"]!["Fn::GetAtt"]));
        Assert.True((bool?)encryption["BucketKeyEnabled"]);
        Assert.Equal("Enabled", (string?)bucket["VersioningConfiguration"]!["Status"]);
        Assert.All(
            ["BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"],
            setting => Assert.True((bool?)bucket["PublicAccessBlockConfiguration"]![setting], setting));
        Assert.Contains(bucket["LifecycleConfiguration"]!["Rules"]!.AsArray(), rule => (int?)rule!["AbortIncompleteMultipartUpload"]?["DaysAfterInitiation"] == 1);

        var policy = Assert.Single(ResourcesOfType(template, "AWS::S3::BucketPolicy")).Value["Properties"]!;
        Assert.Equal("ReportsBucket", (string?)policy["Bucket"]!["Ref"]);
        var deny = Assert.Single(policy["PolicyDocument"]!["Statement"]!.AsArray(), s => (string?)s!["Effect"] == "Deny")!;
        Assert.Equal(("*", "s3:*", "false"), ((string?)deny["Principal"], (string?)deny["Action"], (string?)deny["Condition"]!["Bool"]!["aws:SecureTransport"]));
        Assert.Equal(
            ["{\"Fn::GetAtt\":[\"ReportsBucket\",\"Arn\"]}", "{\"Fn::Sub\":\"${ReportsBucket.Arn}/*\"}"],
            deny["Resource"]!.AsArray().Select(resource => resource!.ToJsonString()));
    }

    [Fact]
    public async Task The_kms_key_rotates_and_is_kept_and_the_four_secrets_are_the_function_s_own()
    {
        var template = await Transformed.Value;
        var key = Resource(template, "ReportsKey", "AWS::KMS::Key");
        var secrets = ResourcesOfType(template, "AWS::SecretsManager::Secret").Select(secret => secret.Key).Order().ToList();

        Assert.True((bool?)key["Properties"]!["EnableKeyRotation"]);
        Assert.Equal("Retain", (string?)key["DeletionPolicy"]);
        Assert.Equal(["DatabaseSecret", "PgpPassphraseSecret", "PgpSecretKeySecret", "WebhookEncryptionKeySecret"], secrets);
        var statement = Assert.Single(FunctionPolicyStatements(template), s => AsStrings(s["Action"]).Contains("secretsmanager:GetSecretValue"));
        Assert.Equal(["secretsmanager:GetSecretValue"], AsStrings(statement["Action"]));
        Assert.Equal(secrets, statement["Resource"]!.AsArray().Select(r => (string)r!["Ref"]!).Order());
    }

    [Fact]
    public async Task The_webhook_encryption_key_Secrets_Manager_generates_is_a_key_the_app_reads()
    {
        var secret = Resource(await Transformed.Value, "WebhookEncryptionKeySecret", "AWS::SecretsManager::Secret");
        var moto = await MotoServer.SharedAsync();

        Assert.Equal("Retain", (string?)secret["DeletionPolicy"]);
        for (var i = 0; i < 20; i++)
        {
            var generated = await moto.GetRandomPasswordAsync(secret["Properties"]!["GenerateSecretString"]!.DeepClone());
            Assert.Equal(32, WebhookSecretProtector.ParseKey(generated).Length);
        }
    }

    [Fact]
    public async Task EventBridge_delivers_the_tick_and_the_four_transfer_connector_events_to_the_function()
    {
        var template = await Transformed.Value;
        var rules = Rules(template);

        Assert.Equal(2, rules.Count);
        Assert.Equal("rate(1 minute)", (string?)Assert.Single(rules, r => r["Properties"]!["ScheduleExpression"] is not null)["Properties"]!["ScheduleExpression"]);
        var pattern = Assert.Single(rules, r => r["Properties"]!["EventPattern"] is not null)["Properties"]!["EventPattern"]!;
        Assert.Equal(["aws.transfer"], AsStrings(pattern["source"]));
        Assert.Equal(
            ["SFTP Connector File Send Completed", "SFTP Connector File Send Failed", "SFTP Connector Remote Move Completed", "SFTP Connector Remote Move Failed"],
            AsStrings(pattern["detail-type"]).Order());
        var invokers = ResourcesOfType(template, "AWS::Lambda::Permission")
            .Where(p => (string?)p.Value["Properties"]!["Principal"] == "events.amazonaws.com")
            .Select(p => (string?)p.Value["Properties"]!["SourceArn"]!["Fn::GetAtt"]![0])
            .Order();
        Assert.Equal(ResourcesOfType(template, "AWS::Events::Rule").Select(r => r.Key).Order(), invokers);
    }

    [Fact]
    public async Task The_partner_SFTP_server_is_SFTP_only_with_service_managed_users_a_policy_without_SHA_1_and_its_own_logs()
    {
        var template = await Transformed.Value;
        var (name, server) = Assert.Single(ResourcesOfType(template, "AWS::Transfer::Server"));
        var properties = server["Properties"]!;

        Assert.Equal("PartnerSftpServer", name);
        Assert.Equal(["SFTP"], AsStrings(properties["Protocols"]));
        Assert.Equal("SERVICE_MANAGED", (string?)properties["IdentityProviderType"]);
        Assert.Equal("S3", (string?)properties["Domain"]);
        // Without it CloudFormation gives TransferSecurityPolicy-2018-11, which still offers SHA-1 algorithms.
        Assert.Equal("TransferSecurityPolicy-2025-03", (string?)properties["SecurityPolicyName"]);
        Assert.Equal(["PartnerSftpLoggingRole", "Arn"], AsStrings(properties["LoggingRole"]!["Fn::GetAtt"]));
        Assert.Equal("transfer.amazonaws.com", (string?)Resource(template, "PartnerSftpLoggingRole", "AWS::IAM::Role")["Properties"]!["AssumeRolePolicyDocument"]!["Statement"]![0]!["Principal"]!["Service"]);
        var logGroup = Resource(template, "PartnerSftpLogGroup", "AWS::Logs::LogGroup")["Properties"]!;
        Assert.Equal("/aws/transfer/${PartnerSftpServer.ServerId}", (string?)logGroup["LogGroupName"]!["Fn::Sub"]);
        Assert.Equal("LogRetentionDays", (string?)logGroup["RetentionInDays"]!["Ref"]);
        var logging = Resource(template, "PartnerSftpLoggingPolicy", "AWS::IAM::RolePolicy")["Properties"]!;
        Assert.Equal("PartnerSftpLoggingRole", (string?)logging["RoleName"]!["Ref"]);
        var write = Assert.Single(logging["PolicyDocument"]!["Statement"]!.AsArray())!;
        Assert.All(AsStrings(write["Action"]), action => Assert.StartsWith("logs:", action, StringComparison.Ordinal));
        Assert.Equal(["PartnerSftpLogGroup", "Arn"], AsStrings(write["Resource"]![0]!["Fn::GetAtt"]));
        // Partner users are made by the app (PUT .../sftp-user), not by the template.
        Assert.Empty(ResourcesOfType(template, "AWS::Transfer::User"));
    }

    [Fact]
    public async Task Partner_users_assume_a_role_that_writes_only_inbound_prefixes_and_reads_delivered_files_trusted_only_for_the_server_s_users()
    {
        var template = await Transformed.Value;
        var role = Resource(template, "PartnerSftpUserRole", "AWS::IAM::Role")["Properties"]!;
        var trust = Assert.Single(role["AssumeRolePolicyDocument"]!["Statement"]!.AsArray())!;
        var statements = role["Policies"]!.AsArray().SelectMany(policy => policy!["PolicyDocument"]!["Statement"]!.AsArray()).Select(s => s!).ToList();

        Assert.Equal("transfer.amazonaws.com", (string?)trust["Principal"]!["Service"]);
        Assert.Equal(
            "arn:${AWS::Partition}:transfer:${AWS::Region}:${AWS::AccountId}:user/${PartnerSftpServer.ServerId}/*",
            (string?)trust["Condition"]!["ArnLike"]!["aws:SourceArn"]!["Fn::Sub"]);
        var objectResources = statements
            .Where(s => AsStrings(s["Action"]).Any(a => a.StartsWith("s3:", StringComparison.Ordinal) && a != "s3:ListBucket"))
            .SelectMany(s => AsStrings(s["Action"]).SelectMany(action => s["Resource"]!.AsArray().Select(r => (Action: action, Resource: (string)r!["Fn::Sub"]!))))
            .ToList();
        Assert.Equal(
            [
                ("s3:DeleteObject", "${ReportsBucket.Arn}/partners/*/inbound/*"),
                ("s3:GetObject", "${ReportsBucket.Arn}/partners/*/inbound/*"),
                ("s3:GetObject", "${ReportsBucket.Arn}/partners/*/outbound/*"),
                ("s3:PutObject", "${ReportsBucket.Arn}/partners/*/inbound/*"),
            ],
            objectResources.Order());
        var list = Assert.Single(statements, s => AsStrings(s["Action"]).SequenceEqual(["s3:ListBucket"]));
        Assert.Equal(["partners/*/inbound", "partners/*/inbound/*", "partners/*/outbound", "partners/*/outbound/*"], AsStrings(list["Condition"]!["StringLike"]!["s3:prefix"]));
        var key = Assert.Single(statements, s => AsStrings(s["Action"]).Any(a => a.StartsWith("kms:", StringComparison.Ordinal)));
        Assert.Equal(["ReportsKey", "Arn"], AsStrings(key["Resource"]![0]!["Fn::GetAtt"]));
    }

    [Fact]
    public async Task The_function_puts_partner_users_on_that_server_with_that_role_and_the_stack_names_the_host()
    {
        var template = await Transformed.Value;
        var variables = FunctionVariables(template);

        Assert.Equal("TransferFamily", (string?)variables["SftpUsers__Provider"]);
        Assert.Equal(["PartnerSftpServer", "ServerId"], AsStrings(variables["SftpUsers__TransferFamily__ServerId"]!["Fn::GetAtt"]));
        Assert.Equal(["PartnerSftpUserRole", "Arn"], AsStrings(variables["SftpUsers__TransferFamily__UserRoleArn"]!["Fn::GetAtt"]));
        var users = Assert.Single(FunctionPolicyStatements(template), s => AsStrings(s["Action"]).Contains("transfer:CreateUser"));
        Assert.Equal(
            ["{\"Fn::GetAtt\":[\"PartnerSftpServer\",\"Arn\"]}", "{\"Fn::Sub\":\"arn:${AWS::Partition}:transfer:${AWS::Region}:${AWS::AccountId}:user/${PartnerSftpServer.ServerId}/*\"}"],
            users["Resource"]!.AsArray().Select(r => r!.ToJsonString()));
        var pass = Assert.Single(FunctionPolicyStatements(template), s => AsStrings(s["Action"]).Contains("iam:PassRole"));
        Assert.Equal(["PartnerSftpUserRole", "Arn"], AsStrings(pass["Resource"]![0]!["Fn::GetAtt"]));
        Assert.Equal("transfer.amazonaws.com", (string?)pass["Condition"]!["StringEquals"]!["iam:PassedToService"]);
        var outputs = template["Outputs"]!;
        Assert.Equal(["PartnerSftpServer", "ServerId"], AsStrings(outputs["PartnerSftpServerId"]!["Value"]!["Fn::GetAtt"]));
        Assert.Equal("${PartnerSftpServer.ServerId}.server.transfer.${AWS::Region}.${AWS::URLSuffix}", (string?)outputs["PartnerSftpHost"]!["Value"]!["Fn::Sub"]);
    }

    [Fact]
    public async Task The_function_role_allows_exactly_the_actions_of_the_api_calls_the_app_makes()
    {
        var template = await Transformed.Value;
        var granted = FunctionPolicyStatements(template).SelectMany(s => AsStrings(s["Action"])).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(AppApiCalls.RequiredActions(), granted);
        Assert.Equal(
            ["{\"Fn::Sub\":\"arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole\"}"],
            Resource(template, "FunctionRole", "AWS::IAM::Role")["Properties"]!["ManagedPolicyArns"]!.AsArray().Select(arn => arn!.ToJsonString()));
    }

    [Fact]
    public void The_api_calls_are_read_from_the_app_s_AWS_clients()
    {
        Assert.Equal(
            ["AbortMultipartUpload", "CompleteMultipartUpload", "CopyObject", "CopyPart", "DeleteObject", "GetObject", "GetObjectMetadata", "InitiateMultipartUpload", "PutObject", "UploadPart"],
            AppApiCalls.S3Operations().Order(StringComparer.Ordinal));
        Assert.Equal(["GetSecretValue"], AppApiCalls.SecretsManagerOperations());
        Assert.Equal(
            ["ListFileTransferResults", "StartFileTransfer", "StartRemoteMove", "TestConnection"],
            AppApiCalls.TransferOperations().Order(StringComparer.Ordinal));
        Assert.Equal(["Invoke"], AppApiCalls.LambdaOperations());
        Assert.Equal(
            ["CreateUser", "DeleteSshPublicKey", "DescribeUser", "ImportSshPublicKey", "UpdateUser"],
            AppApiCalls.TransferUserOperations().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task No_iam_statement_allows_data_actions_on_every_resource_and_s3_only_under_partners()
    {
        var template = await Transformed.Value;
        var statements = ResourcesOfType(template, "AWS::IAM::Role")
            .SelectMany(role => role.Value["Properties"]!["Policies"]?.AsArray() ?? [])
            .SelectMany(policy => policy!["PolicyDocument"]!["Statement"]!.AsArray())
            .Select(statement => statement!)
            .ToList();

        Assert.NotEmpty(statements);
        Assert.All(statements, statement =>
        {
            if (AsStrings(statement["Action"]).Any(a => a == "*" || DataServicePrefixes.Any(p => a.StartsWith(p, StringComparison.Ordinal))))
            {
                Assert.DoesNotContain("*", AsStrings(statement["Resource"]));
                Assert.DoesNotContain(AsStrings(statement["Resource"]), r => r.EndsWith(":*:*", StringComparison.Ordinal));
            }
        });
        Assert.All(FunctionPolicyStatements(template).Where(s => AsStrings(s["Action"]).Any(a => a.StartsWith("s3:", StringComparison.Ordinal))), statement =>
        {
            if (AsStrings(statement["Action"]).SequenceEqual(["s3:ListBucket"]))
            {
                Assert.Equal(["partners/*"], AsStrings(statement["Condition"]!["StringLike"]!["s3:prefix"]));
            }
            else
            {
                Assert.Equal(["${ReportsBucket.Arn}/partners/*"], statement["Resource"]!.AsArray().Select(r => (string)r!["Fn::Sub"]!));
            }
        });
    }

    [Fact]
    public async Task Alarms_watch_errors_throttles_and_failed_runs()
    {
        var alarms = ResourcesOfType(await Transformed.Value, "AWS::CloudWatch::Alarm")
            .Select(a => ((string)a.Value["Properties"]!["Namespace"]!, (string)a.Value["Properties"]!["MetricName"]!))
            .ToHashSet();

        Assert.Equal([("AWS/Lambda", "Errors"), ("AWS/Lambda", "Throttles"), ("ReportingApi", "RunsFailed")], alarms.Order());
    }

    private const string LocalTokenPath = ReportingApi.Security.LocalTokenEndpoint.Path;

    private static async Task<JsonObject> TransformAsync()
    {
        var script = DeploymentFiles.PathOf("tests/ReportingApi.Tests/Deployment/sam-transform.py");
        var result = await AwsTools.RunAsync(AwsTools.Python, [script, DeploymentFiles.PathOf(DeploymentFiles.ServerlessTemplate), "eu-central-1"], TimeSpan.FromMinutes(2));
        Assert.True(result.ExitCode == 0, $"The SAM transform failed ({result.ExitCode}):\n{result.Errors}");
        return JsonNode.Parse(result.Output)!.AsObject();
    }

    private static List<KeyValuePair<string, JsonObject>> ResourcesOfType(JsonObject template, string type) =>
        [.. template["Resources"]!.AsObject()
            .Where(resource => (string?)resource.Value!["Type"] == type)
            .Select(resource => KeyValuePair.Create(resource.Key, resource.Value!.AsObject()))];

    private static JsonObject Resource(JsonObject template, string name, string type)
    {
        var resource = template["Resources"]![name]!.AsObject();
        Assert.Equal(type, (string?)resource["Type"]);
        return resource;
    }

    private static JsonObject FunctionVariables(JsonObject template) =>
        Resource(template, "ReportingFunction", "AWS::Lambda::Function")["Properties"]!["Environment"]!["Variables"]!.AsObject();

    private static List<JsonNode> FunctionPolicyStatements(JsonObject template) =>
        [.. Resource(template, "FunctionRole", "AWS::IAM::Role")["Properties"]!["Policies"]!.AsArray()
            .SelectMany(policy => policy!["PolicyDocument"]!["Statement"]!.AsArray())
            .Select(statement => statement!)];

    private static List<JsonObject> Rules(JsonObject template) => [.. ResourcesOfType(template, "AWS::Events::Rule").Select(rule => rule.Value)];

    private static List<ApiRoute> ApiRoutes(JsonObject template)
    {
        var body = Assert.Single(ResourcesOfType(template, "AWS::ApiGatewayV2::Api")).Value["Properties"]!["Body"]!;
        var routes = new List<ApiRoute>();
        foreach (var (path, methods) in body["paths"]!.AsObject())
        {
            foreach (var (method, operation) in methods!.AsObject())
            {
                var security = Assert.Single(operation!["security"]!.AsArray())!.AsObject().Single();
                routes.Add(new ApiRoute(
                    method == "x-amazon-apigateway-any-method" ? "ANY" : method.ToUpperInvariant(),
                    path,
                    security.Key,
                    AsStrings(security.Value),
                    (string)operation["x-amazon-apigateway-integration"]!["uri"]!["Fn::Sub"]!));
            }
        }

        return routes;
    }

    /// <summary>A path the app's route pattern matches: each parameter becomes 'x', without a trailing '/'.</summary>
    private static string SamplePath(string pattern) => "/" + RouteParameter().Replace(pattern.Trim('/'), "x");

    private static List<string> AsStrings(JsonNode? node) => node switch
    {
        null => [],
        JsonArray array => array.Select(item => item is JsonValue value && value.TryGetValue<string>(out var text) ? text : item!.ToJsonString()).ToList(),
        JsonValue value when value.TryGetValue<string>(out var text) => [text],
        _ => [node.ToJsonString()],
    };

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex RouteParameter();

    /// <summary>One route of the HTTP API as API Gateway will have it.</summary>
    private sealed record ApiRoute(string Method, string Path, string Authorizer, IReadOnlyList<string> Scopes, string IntegrationUri)
    {
        /// <summary>Whether API Gateway sends this request to the route: {name} is one segment, {name+} one or more.</summary>
        public bool Matches(string method, string path)
        {
            var pattern = "^" + Regex.Replace(Regex.Escape(Path).Replace(@"\{", "{", StringComparison.Ordinal), @"\{[^}]+\+\}", ".+");
            pattern = Regex.Replace(pattern, @"\{[^}]+\}", "[^/]+") + "$";
            return (Method == "ANY" || Method == method) && Regex.IsMatch(path, pattern);
        }
    }
}
