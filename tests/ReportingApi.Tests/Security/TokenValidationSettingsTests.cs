using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ReportingApi.Security;

namespace ReportingApi.Tests.Security;

/// <summary><c>Authentication:*</c> is checked when the app starts, not at the first request.</summary>
public sealed class TokenValidationSettingsTests
{
    private const string CognitoIssuer = "https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_AbC123";

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("cognito-idp.eu-central-1.amazonaws.com/eu-central-1_AbC123")]
    [InlineData("http://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_AbC123")]
    [InlineData("https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_AbC123?x=1")]
    public async Task Outside_development_the_issuer_must_be_an_https_url(string? issuer)
    {
        using var host = Build(Environments.Production, new() { ["Authentication:Issuer"] = issuer });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Authentication:Issuer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outside_development_the_local_token_endpoint_setting_does_not_replace_the_issuer()
    {
        using var host = Build(Environments.Production, new() { ["LocalTokenEndpoint:Enabled"] = "true" });

        await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
    }

    [Fact]
    public async Task A_clock_skew_over_ten_minutes_is_refused()
    {
        using var host = Build(Environments.Production, new() { ["Authentication:Issuer"] = CognitoIssuer, ["Authentication:ClockSkewSeconds"] = "601" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(nameof(TokenValidationSettings.ClockSkewSeconds), error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Production", CognitoIssuer, null)]
    [InlineData("Production", CognitoIssuer + "/", null)]
    [InlineData("Development", "http://127.0.0.1:9/eu-central-1_Local", "false")]
    [InlineData("Development", null, "true")]
    public async Task Valid_settings_start(string environment, string? issuer, string? localTokens)
    {
        using var host = Build(environment, new() { ["Authentication:Issuer"] = issuer, ["LocalTokenEndpoint:Enabled"] = localTokens });

        await host.StartAsync();
        await host.StopAsync();
    }

    private static IHost Build(string environment, Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = environment });
        builder.Configuration.AddInMemoryCollection(settings);
        // Authorization needs routing; the app has it through WebApplication.
        builder.Services.AddRouting().AddSecurity(builder.Configuration, builder.Environment);
        return builder.Build();
    }
}
