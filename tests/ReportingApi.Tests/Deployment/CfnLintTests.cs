using System.Diagnostics;
using System.Text.Json.Nodes;

namespace ReportingApi.Tests.Deployment;

/// <summary>
/// Runs npm's cfn-lint 1.9.7 (installed by tests/install/cfn-lint.sh) on the templates. Its resource specification
/// is from 2019: it rejects resource types and properties that came later although CloudFormation and SAM accept
/// them. So it runs on a copy in which the resource types it does not know become custom resources with the same
/// properties (every Ref, GetAtt and Sub in and to them is still checked; their property names are not) and the
/// properties it does not know are removed (the wiring tests check those). Everything else is linted as written.
/// </summary>
public sealed class CfnLintTests
{
    private static readonly string[] TypesUnknownToCfnLint =
    [
        "AWS::Serverless::HttpApi",
        "AWS::Cognito::UserPoolDomain",
        "AWS::Cognito::UserPoolResourceServer",
        "AWS::Transfer::Connector",
    ];

    private static readonly Dictionary<string, string[]> PropertiesUnknownToCfnLint = new()
    {
        ["AWS::Serverless::Function"] = ["Architectures", "SnapStart"],
        ["AWS::Cognito::UserPoolClient"] =
            ["AllowedOAuthFlows", "AllowedOAuthFlowsUserPoolClient", "AllowedOAuthScopes", "SupportedIdentityProviders", "AccessTokenValidity", "TokenValidityUnits"],
    };

    /// <summary>It reads HttpApi events as REST Api events, which have neither.</summary>
    private static readonly string[] HttpApiEventPropertiesUnknownToCfnLint = ["ApiId", "Auth"];

    private const string CustomResourceServiceToken = "arn:aws:lambda:us-east-1:123456789012:function:cfn-lint-placeholder";

    [Theory]
    [InlineData(DeploymentFiles.ServerlessTemplate)]
    [InlineData(DeploymentFiles.PartnerTemplate)]
    public async Task Template_passes_cfn_lint(string template)
    {
        var result = await RunCfnLintAsync(LintableCopy(DeploymentFiles.Load(template)));

        Assert.True(result.ExitCode == 0, $"cfn-lint rejected {template}:\n{result.Output}");
        Assert.Contains("Template valid!", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cfn_lint_on_the_copy_still_catches_a_reference_to_a_missing_resource()
    {
        var copy = LintableCopy(DeploymentFiles.Load(DeploymentFiles.ServerlessTemplate));
        var bucketPolicy = copy["Resources"]!["ReportsBucketPolicy"]!["Properties"]!.AsObject();
        bucketPolicy["Bucket"] = new JsonObject { ["Ref"] = "NoSuchBucket" };

        var result = await RunCfnLintAsync(copy);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("NoSuchBucket", result.Output, StringComparison.Ordinal);
    }

    private static JsonObject LintableCopy(JsonObject template)
    {
        var copy = template.DeepClone().AsObject();
        foreach (var (_, node) in DeploymentFiles.Resources(copy))
        {
            var resource = node!.AsObject();
            var type = (string)resource["Type"]!;
            var properties = resource["Properties"] as JsonObject ?? [];
            if (TypesUnknownToCfnLint.Contains(type))
            {
                resource["Type"] = "Custom::" + type.Split("::")[^1];
                properties["ServiceToken"] = CustomResourceServiceToken;
                resource["Properties"] = properties;
                continue;
            }

            foreach (var property in PropertiesUnknownToCfnLint.GetValueOrDefault(type, []))
            {
                properties.Remove(property);
            }

            if (type == "AWS::S3::Bucket")
            {
                foreach (var rule in properties["BucketEncryption"]?["ServerSideEncryptionConfiguration"]?.AsArray() ?? [])
                {
                    rule!.AsObject().Remove("BucketKeyEnabled");
                }
            }

            foreach (var (_, eventNode) in properties["Events"] as JsonObject ?? [])
            {
                if ((string?)eventNode!["Type"] == "HttpApi")
                {
                    foreach (var property in HttpApiEventPropertiesUnknownToCfnLint)
                    {
                        eventNode["Properties"]!.AsObject().Remove(property);
                    }
                }
            }
        }

        return copy;
    }

    private static async Task<(int ExitCode, string Output)> RunCfnLintAsync(JsonObject template)
    {
        var cfnLint = DeploymentFiles.PathOf(DeploymentFiles.CfnLint);
        Assert.True(File.Exists(cfnLint), $"cfn-lint is not installed at {cfnLint}; run tests/install/cfn-lint.sh.");

        var folder = Directory.CreateTempSubdirectory("cfn-lint-");
        try
        {
            var file = Path.Combine(folder.FullName, "template.json");
            await File.WriteAllTextAsync(file, template.ToJsonString());
            var start = new ProcessStartInfo(cfnLint)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add("validate");
            start.ArgumentList.Add(file);
            start.Environment["NO_COLOR"] = "1";
            start.Environment["FORCE_COLOR"] = "0";
            using var process = Process.Start(start)!;
            var standardOutput = process.StandardOutput.ReadToEndAsync();
            var standardError = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await standardOutput + await standardError);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
