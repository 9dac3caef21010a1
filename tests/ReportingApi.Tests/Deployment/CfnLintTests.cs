using System.Text.Json.Nodes;
using ReportingApi.TestSupport.Aws;

namespace ReportingApi.Tests.Deployment;

/// <summary>
/// AWS's cfn-lint (tests/install/aws-tools.sh) on every template, as written: it runs the SAM transform as
/// <c>sam deploy</c> would and lints the result against CloudFormation's current resource specification. Informational
/// findings count too; a finding we accept would need a <c>Metadata: cfn-lint: config: ignore_checks</c> entry with
/// its reason in the template (there is none today).
/// </summary>
public sealed class CfnLintTests
{
    private static readonly TimeSpan LintTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Every_template_passes_cfn_lint_without_a_finding()
    {
        var templates = DeploymentFiles.Templates();
        Assert.Contains(DeploymentFiles.ServerlessTemplate, templates);
        Assert.Contains(DeploymentFiles.PartnerTemplate, templates);

        var result = await LintAsync(templates.Select(DeploymentFiles.PathOf));

        Assert.True(result.ExitCode == 0 && result.Output.Length == 0, $"cfn-lint exited with {result.ExitCode}:\n{result.Output}{result.Errors}");
    }

    [Fact]
    public async Task Cfn_lint_catches_a_reference_to_a_missing_resource()
    {
        var copy = DeploymentFiles.Load(DeploymentFiles.ServerlessTemplate);
        copy["Resources"]!["ReportsBucketPolicy"]!["Properties"]!["Bucket"] = new JsonObject { ["Ref"] = "NoSuchBucket" };

        var result = await LintCopyAsync(copy);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("NoSuchBucket", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cfn_lint_runs_the_SAM_transform_that_refuses_a_public_route_without_a_default_authorizer()
    {
        var copy = DeploymentFiles.Load(DeploymentFiles.ServerlessTemplate);
        copy["Resources"]!["HttpApi"]!["Properties"]!["Auth"]!.AsObject().Remove("DefaultAuthorizer");

        var result = await LintCopyAsync(copy);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("E0001", result.Output, StringComparison.Ordinal);
        Assert.Contains("'NONE' is only a valid value when a DefaultAuthorizer on the API is specified", result.Output, StringComparison.Ordinal);
    }

    private static Task<ToolResult> LintAsync(IEnumerable<string> paths) =>
        AwsTools.RunAsync(AwsTools.CfnLint, ["--include-checks", "I", "--", .. paths], LintTimeout);

    private static async Task<ToolResult> LintCopyAsync(JsonObject template)
    {
        var folder = Directory.CreateTempSubdirectory("cfn-lint-");
        try
        {
            var file = Path.Combine(folder.FullName, "template.json");
            await File.WriteAllTextAsync(file, template.ToJsonString());
            return await LintAsync([file]);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
