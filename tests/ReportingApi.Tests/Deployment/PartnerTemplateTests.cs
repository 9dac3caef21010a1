namespace ReportingApi.Tests.Deployment;

/// <summary>The wiring of deploy/partner.template.</summary>
public sealed class PartnerTemplateTests
{
    private static readonly System.Text.Json.Nodes.JsonObject Template = DeploymentFiles.Load(DeploymentFiles.PartnerTemplate);

    [Fact]
    public void Connector_requires_trusted_host_keys_from_a_parameter_without_default()
    {
        var connector = DeploymentFiles.ResourcesOfType(Template, "AWS::Transfer::Connector").Single().Value["Properties"]!;

        var parameterName = (string)connector["SftpConfig"]!["TrustedHostKeys"]!["Ref"]!;
        var parameter = Template["Parameters"]![parameterName]!.AsObject();
        Assert.False(parameter.ContainsKey("Default"), $"{parameterName} must have no default: every partner's host key is pinned.");
        Assert.Equal("CommaDelimitedList", (string?)parameter["Type"]);
        Assert.Equal("ConnectorSecret", (string?)connector["SftpConfig"]!["UserSecretId"]!["Ref"]);
    }

    [Fact]
    public void App_client_uses_client_credentials_with_a_secret_and_the_scopes_parameter()
    {
        var client = DeploymentFiles.ResourcesOfType(Template, "AWS::Cognito::UserPoolClient").Single().Value["Properties"]!;

        Assert.True((bool?)client["GenerateSecret"]);
        Assert.Equal(["client_credentials"], client["AllowedOAuthFlows"]!.AsArray().Select(f => (string)f!));
        Assert.Equal("AllowedOAuthScopes", (string?)client["AllowedOAuthScopes"]!["Ref"]);
        Assert.DoesNotContain("reports/admin", (string)Template["Parameters"]!["AllowedOAuthScopes"]!["Default"]!, StringComparison.Ordinal);
    }
}
