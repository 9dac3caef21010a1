using System.Text.Json.Nodes;
using ReportingApi.Tests.Deployment;

namespace ReportingApi.Tests.DropFolder;

/// <summary>The deployment wiring the outbox needs: S3 may invoke the function, deploy.sh points the bucket's notifications at it.</summary>
public sealed class OutboxDeploymentTests
{
    private static readonly JsonObject Template = DeploymentFiles.Load(DeploymentFiles.ServerlessTemplate);

    [Fact]
    public void Only_the_reports_bucket_of_this_account_may_invoke_the_function_alias()
    {
        var permission = DeploymentFiles.ResourcesOfType(Template, "AWS::Lambda::Permission")
            .Single(resource => (string?)resource.Value["Properties"]!["Principal"] == "s3.amazonaws.com").Value["Properties"]!;

        Assert.Equal("lambda:InvokeFunction", (string?)permission["Action"]);
        Assert.Equal("ReportingFunction.Alias", (string?)permission["FunctionName"]!["Ref"]);
        Assert.Equal(["ReportsBucket", "Arn"], permission["SourceArn"]!["Fn::GetAtt"]!.AsArray().Select(part => (string?)part));
        Assert.Equal("AWS::AccountId", (string?)permission["SourceAccount"]!["Ref"]);
        Assert.Equal("ReportingFunction.Alias", (string?)Template["Outputs"]!["FunctionAliasArn"]!["Value"]!["Ref"]);
    }

    [Fact]
    public void Deploy_script_notifies_the_alias_of_every_object_created_under_partners()
    {
        var script = File.ReadAllText(DeploymentFiles.PathOf("deploy/deploy.sh"));

        Assert.Contains("put-bucket-notification-configuration --bucket \"$reports_bucket\"", script, StringComparison.Ordinal);
        Assert.Contains("function_alias_arn=$(stack_output FunctionAliasArn)", script, StringComparison.Ordinal);
        Assert.Contains("\"LambdaFunctionArn\": \"$function_alias_arn\"", script, StringComparison.Ordinal);
        Assert.Contains("\"Events\": [\"s3:ObjectCreated:*\"]", script, StringComparison.Ordinal);
        Assert.Contains("{ \"Name\": \"prefix\", \"Value\": \"partners/\" }", script, StringComparison.Ordinal);
        Assert.DoesNotContain("\"Name\": \"suffix\"", script, StringComparison.Ordinal);
    }
}
