using ReportingApi.Data;
using ReportingApi.Health;
using ReportingApi.Observability;
using ReportingApi.OpenApi;
using ReportingApi.Partners;
using ReportingApi.Pgp;
using ReportingApi.Problems;
using ReportingApi.Rendering;
using ReportingApi.Reports;
using ReportingApi.Runs;
using ReportingApi.Security;
using ReportingApi.SftpUsers;
using ReportingApi.Storage;
using ReportingApi.Transfer;

var builder = WebApplication.CreateBuilder(args);

builder.Services
    .AddProblems()
    .AddData()
    .AddPartners()
    .AddSecurity(builder.Configuration, builder.Environment)
    .AddRendering()
    .AddReports()
    .AddPgp()
    .AddStorage()
    .AddTransfer()
    .AddSftpUsers()
    .AddRuns()
    .AddDemoOnboarding()
    .AddHealth()
    .AddApiDocumentation(builder.Configuration, builder.Environment)
    .AddLambdaHosting()
    .AddObservability(builder.Configuration);

var app = builder.Build();

app.UseProblems();
app.UseAuthentication();
app.UseAuthorization();

app.MapHealth();
app.MapReportsApi();
app.MapRunsApi();
app.MapPartnersAdminApi();
if (SecurityExtensions.IsLocalTokenEndpointEnabled(app.Configuration, app.Environment))
{
    app.MapLocalTokenEndpoint();
}

app.MapApiDocumentation();

await app.InitializeDatabaseAsync();
await app.OnboardDemoPartnersAsync();
await app.RunAsync();

/// <summary>Entry point; public so that tests can start the app with WebApplicationFactory.</summary>
public partial class Program;
