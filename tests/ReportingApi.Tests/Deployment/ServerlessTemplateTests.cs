using System.Text.Json.Nodes;

namespace ReportingApi.Tests.Deployment;

/// <summary>The wiring of serverless.template that a mistake would silently open up or break.</summary>
public sealed class ServerlessTemplateTests
{
    private const string Authorizer = "CognitoAuthorizer";

    /// <summary>Actions on data: never allowed on every resource.</summary>
    private static readonly string[] DataServicePrefixes = ["s3:", "kms:", "secretsmanager:", "transfer:", "lambda:"];

    private static readonly JsonObject Template = DeploymentFiles.Load(DeploymentFiles.ServerlessTemplate);

    private static JsonObject Function => DeploymentFiles.ResourcesOfType(Template, "AWS::Serverless::Function").Single().Value;

    private static JsonObject FunctionProperties => Function["Properties"]!.AsObject();

    private static IEnumerable<(string Name, JsonObject Properties)> HttpApiEvents =>
        FunctionProperties["Events"]!.AsObject()
            .Where(e => (string?)e.Value!["Type"] == "HttpApi")
            .Select(e => (e.Key, e.Value!["Properties"]!.AsObject()));

    [Fact]
    public void Http_api_has_a_cognito_jwt_authorizer_with_the_user_pool_as_issuer()
    {
        var api = DeploymentFiles.ResourcesOfType(Template, "AWS::Serverless::HttpApi").Single().Value;
        var jwt = api["Properties"]!["Auth"]!["Authorizers"]![Authorizer]!["JwtConfiguration"]!;

        var issuer = (string)jwt["issuer"]!["Fn::Sub"]!;
        Assert.Equal("https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}", issuer);
        Assert.Equal(issuer, (string)FunctionProperties["Environment"]!["Variables"]!["Authentication__Issuer"]!["Fn::Sub"]!);
        Assert.Equal("AWS::Cognito::UserPool", (string)DeploymentFiles.Resources(Template)["UserPool"]!["Type"]!);
    }

    [Fact]
    public void Resource_server_reports_defines_the_three_scopes()
    {
        var server = DeploymentFiles.ResourcesOfType(Template, "AWS::Cognito::UserPoolResourceServer").Single().Value["Properties"]!;

        Assert.Equal("reports", (string)server["Identifier"]!);
        Assert.Equal(["admin", "deliver", "read"], server["Scopes"]!.AsArray().Select(s => (string)s!["ScopeName"]!).Order());
    }

    [Theory]
    [InlineData("GET", "/v1/reports", "reports/read")]
    [InlineData("GET", "/v1/reports/{report}", "reports/read")]
    [InlineData("POST", "/v1/report-runs", "reports/deliver")]
    [InlineData("GET", "/v1/report-runs", "reports/deliver")]
    [InlineData("GET", "/v1/report-runs/{id}", "reports/deliver")]
    [InlineData("GET", "/v1/report-runs/{id}/file", "reports/deliver")]
    [InlineData("POST", "/v1/report-runs/{id}/redeliver", "reports/deliver")]
    [InlineData("ANY", "/v1/admin/{proxy+}", "reports/admin")]
    public void Api_route_requires_the_authorizer_and_its_scope(string method, string path, string scope)
    {
        var route = HttpApiEvents.Single(e => (string?)e.Properties["Method"] == method && (string?)e.Properties["Path"] == path).Properties;

        Assert.Equal(Authorizer, (string?)route["Auth"]?["Authorizer"]);
        Assert.Equal([scope], route["Auth"]!["AuthorizationScopes"]!.AsArray().Select(s => (string)s!));
    }

    [Fact]
    public void Every_route_but_health_and_swagger_is_authorized_with_scopes_that_match_its_path()
    {
        var routes = HttpApiEvents.ToList();
        Assert.NotEmpty(routes);
        foreach (var (name, route) in routes)
        {
            var path = (string)route["Path"]!;
            Assert.Equal("HttpApi", (string?)FunctionProperties["Events"]![name]!["Type"]);
            Assert.True(route["ApiId"]?["Ref"] is not null, $"{name} is not on the template's HttpApi.");
            if (path.StartsWith("/health/", StringComparison.Ordinal) || path == "/swagger" || path.StartsWith("/swagger/", StringComparison.Ordinal))
            {
                Assert.Equal("NONE", (string?)route["Auth"]?["Authorizer"]);
                continue;
            }

            var expectedScope = path switch
            {
                _ when path.StartsWith("/v1/reports", StringComparison.Ordinal) => "reports/read",
                _ when path.StartsWith("/v1/report-runs", StringComparison.Ordinal) => "reports/deliver",
                _ when path.StartsWith("/v1/admin/", StringComparison.Ordinal) => "reports/admin",
                _ => throw new Xunit.Sdk.XunitException($"{name}: {path} is neither a known API path nor health/swagger; give it a scope and a test."),
            };
            Assert.True(Authorizer == (string?)route["Auth"]?["Authorizer"], $"{name} ({path}) has no authorizer.");
            Assert.Equal([expectedScope], route["Auth"]!["AuthorizationScopes"]!.AsArray().Select(s => (string)s!));
        }
    }

    [Fact]
    public void No_iam_statement_allows_data_actions_on_every_resource()
    {
        var statements = DeploymentFiles.ResourcesOfType(Template, "AWS::IAM::Role")
            .SelectMany(role => role.Value["Properties"]!["Policies"]?.AsArray() ?? [])
            .SelectMany(policy => policy!["PolicyDocument"]!["Statement"]!.AsArray())
            .ToList();
        Assert.NotEmpty(statements);

        foreach (var statement in statements)
        {
            var actions = AsStrings(statement!["Action"]);
            var resources = AsStrings(statement["Resource"]);
            var dataActions = actions.Where(a => a == "*" || DataServicePrefixes.Any(p => a.StartsWith(p, StringComparison.Ordinal))).ToList();
            if (dataActions.Count > 0)
            {
                Assert.DoesNotContain("*", resources);
                Assert.DoesNotContain(resources, r => r.EndsWith(":*:*", StringComparison.Ordinal));
            }
        }
    }

    [Fact]
    public void Function_reads_exactly_the_database_and_company_key_secrets()
    {
        var role = (string)FunctionProperties["Role"]!["Fn::GetAtt"]![0]!;
        var secretStatements = DeploymentFiles.Resources(Template)[role]!["Properties"]!["Policies"]!.AsArray()
            .SelectMany(policy => policy!["PolicyDocument"]!["Statement"]!.AsArray())
            .Where(statement => AsStrings(statement!["Action"]).Contains("secretsmanager:GetSecretValue"))
            .ToList();

        // The function's own secrets by reference; partners' connector secrets are the Transfer service role's business.
        var statement = Assert.Single(secretStatements)!;
        Assert.Equal(["secretsmanager:GetSecretValue"], AsStrings(statement["Action"]));
        Assert.Equal(
            ["DatabaseSecret", "PgpPassphraseSecret", "PgpSecretKeySecret"],
            statement["Resource"]!.AsArray().Select(r => (string)r!["Ref"]!).Order());
    }

    [Fact]
    public void Function_s3_access_is_limited_to_the_partners_prefix()
    {
        var role = (string)FunctionProperties["Role"]!["Fn::GetAtt"]![0]!;
        var s3Statements = DeploymentFiles.Resources(Template)[role]!["Properties"]!["Policies"]!.AsArray()
            .SelectMany(policy => policy!["PolicyDocument"]!["Statement"]!.AsArray())
            .Where(statement => AsStrings(statement!["Action"]).Any(a => a.StartsWith("s3:", StringComparison.Ordinal)))
            .ToList();

        Assert.NotEmpty(s3Statements);
        foreach (var statement in s3Statements)
        {
            var objectActions = AsStrings(statement!["Action"]).Where(a => a != "s3:ListBucket").ToList();
            if (objectActions.Count > 0)
            {
                Assert.Equal(["${ReportsBucket.Arn}/partners/*"], statement["Resource"]!.AsArray().Select(r => (string)r!["Fn::Sub"]!));
            }
            else
            {
                Assert.Equal(["partners/*"], AsStrings(statement["Condition"]!["StringLike"]!["s3:prefix"]));
            }
        }
    }

    [Fact]
    public void Bucket_policy_denies_requests_without_tls()
    {
        var policy = DeploymentFiles.ResourcesOfType(Template, "AWS::S3::BucketPolicy").Single().Value["Properties"]!;

        Assert.Equal("ReportsBucket", (string?)policy["Bucket"]!["Ref"]);
        var deny = policy["PolicyDocument"]!["Statement"]!.AsArray().Single(s => (string?)s!["Effect"] == "Deny")!;
        Assert.Equal("false", (string?)deny["Condition"]!["Bool"]!["aws:SecureTransport"]);
        Assert.Equal("*", (string?)deny["Principal"]);
        Assert.Equal("s3:*", (string?)deny["Action"]);
        Assert.Equal(2, deny["Resource"]!.AsArray().Count);
    }

    [Fact]
    public void Bucket_is_encrypted_with_the_template_key_and_never_public()
    {
        var bucket = DeploymentFiles.Resources(Template)["ReportsBucket"]!["Properties"]!;

        var encryption = bucket["BucketEncryption"]!["ServerSideEncryptionConfiguration"]!.AsArray().Single()!["ServerSideEncryptionByDefault"]!;
        Assert.Equal("aws:kms", (string?)encryption["SSEAlgorithm"]);
        var keyName = (string)encryption["KMSMasterKeyID"]!["Fn::GetAtt"]![0]!;
        Assert.Equal("AWS::KMS::Key", (string?)DeploymentFiles.Resources(Template)[keyName]!["Type"]);
        Assert.Equal(keyName, (string?)FunctionProperties["Environment"]!["Variables"]!["ObjectStore__S3__KmsKeyId"]!["Fn::GetAtt"]![0]);

        var publicAccess = bucket["PublicAccessBlockConfiguration"]!.AsObject();
        foreach (var setting in new[] { "BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets" })
        {
            Assert.True((bool?)publicAccess[setting] == true, $"{setting} is not true.");
        }

        Assert.Equal("Enabled", (string?)bucket["VersioningConfiguration"]!["Status"]);
    }

    [Fact]
    public void Function_runs_the_app_assembly_on_dotnet10_x86_64_with_snapstart_on_published_versions()
    {
        Assert.Equal("dotnet10", (string?)FunctionProperties["Runtime"]);
        Assert.Equal(DeploymentFiles.AppAssemblyName(), (string?)FunctionProperties["Handler"]);
        Assert.Equal(["x86_64"], FunctionProperties["Architectures"]!.AsArray().Select(a => (string)a!));
        Assert.Equal("PublishedVersions", (string?)FunctionProperties["SnapStart"]!["ApplyOn"]);
        Assert.False(string.IsNullOrEmpty((string?)FunctionProperties["AutoPublishAlias"]));
    }

    [Fact]
    public void Function_selects_the_aws_providers()
    {
        var variables = FunctionProperties["Environment"]!["Variables"]!;

        Assert.Equal("MySql", (string?)variables["Database__Provider"]);
        Assert.Equal("S3", (string?)variables["ObjectStore__Provider"]);
        Assert.Equal("ReportsBucket", (string?)variables["ObjectStore__S3__BucketName"]!["Ref"]);
        Assert.Equal("ReportsBucket", (string?)variables["Transfer__Connector__SourceBucket"]!["Ref"]);
        Assert.DoesNotContain("Password", (string)variables["Database__ConnectionString"]!["Fn::Sub"]!, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("DatabaseSecret", (string?)variables["Database__PasswordSecretArn"]!["Ref"]);
        Assert.StartsWith("partners/", (string?)variables["Transfer__Connector__StagingPrefix"], StringComparison.Ordinal);
        Assert.Equal("SecretsManager", (string?)variables["Secrets__Provider"]);
        Assert.Equal("PgpSecretKeySecret", (string?)variables["Pgp__SecretKeySecretArn"]!["Ref"]);
        Assert.Equal("PgpPassphraseSecret", (string?)variables["Pgp__PassphraseSecretArn"]!["Ref"]);
        Assert.Equal("Json", (string?)variables["Logging__Format"]);
        Assert.Equal("true", (string?)variables["Metrics__Emf"]);
    }

    [Fact]
    public void Connector_events_and_the_tick_reach_the_function()
    {
        var events = FunctionProperties["Events"]!.AsObject().Select(e => e.Value!).ToList();

        var connector = events.Single(e => (string?)e["Type"] == "EventBridgeRule")["Properties"]!["Pattern"]!;
        Assert.Equal(["aws.transfer"], AsStrings(connector["source"]));
        Assert.Equal(
            ["SFTP Connector File Send Completed", "SFTP Connector File Send Failed", "SFTP Connector Remote Move Completed", "SFTP Connector Remote Move Failed"],
            AsStrings(connector["detail-type"]).Order());
        Assert.Equal("rate(5 minutes)", (string?)events.Single(e => (string?)e["Type"] == "Schedule")["Properties"]!["Schedule"]);
    }

    [Fact]
    public void Alarms_watch_errors_throttles_and_failed_runs()
    {
        var alarms = DeploymentFiles.ResourcesOfType(Template, "AWS::CloudWatch::Alarm")
            .Select(a => ((string)a.Value["Properties"]!["Namespace"]!, (string)a.Value["Properties"]!["MetricName"]!))
            .ToHashSet();

        Assert.Contains(("AWS/Lambda", "Errors"), alarms);
        Assert.Contains(("AWS/Lambda", "Throttles"), alarms);
        Assert.Contains(("ReportingApi", "RunsFailed"), alarms);
    }

    private static List<string> AsStrings(JsonNode? node) => node switch
    {
        null => [],
        JsonArray array => array.Select(item => item is JsonValue value && value.TryGetValue<string>(out var text) ? text : item!.ToJsonString()).ToList(),
        JsonValue value when value.TryGetValue<string>(out var text) => [text],
        _ => [node.ToJsonString()],
    };
}
