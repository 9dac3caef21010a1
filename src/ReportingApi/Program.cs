using ReportingApi.Data;
using ReportingApi.Delivery;
using ReportingApi.Demo;
using ReportingApi.DropFolder;
using ReportingApi.Health;
using ReportingApi.Hosting;
using ReportingApi.Inbound;
using ReportingApi.Observability;
using ReportingApi.OpenApi;
using ReportingApi.PartnerAdmin;
using ReportingApi.Partners;
using ReportingApi.Pgp;
using ReportingApi.Problems;
using ReportingApi.Reports;
using ReportingApi.Reports.Rendering;
using ReportingApi.Runs;
using ReportingApi.Security;
using ReportingApi.SftpUsers;
using ReportingApi.Storage;

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
    .AddDelivery()
    .AddSftpUsers()
    .AddInbound()
    .AddRuns()
    .AddDropFolder()
    .AddDemo()
    .AddHealth()
    .AddApiDocumentation(builder.Configuration, builder.Environment)
    .AddObservability(builder.Configuration);

// The one place where the app differs on AWS Lambda: the Runtime API instead of Kestrel, and Lambda's events instead of a worker.
if (LambdaHostingExtensions.RunsOnLambda)
{
    builder.Services.AddLambdaHosting().AddLambdaWiring();
}
else
{
    builder.Services.AddRunWorker().AddInboundSweep();
}

var app = builder.Build();

app.UseProblems();
app.UseAuthentication();
app.UseAuthorization();

app.MapHealth();
app.MapReportsApi();
app.MapRunsApi();
app.MapPartnersAdminApi();
app.MapPartnerSftpUserApi();
app.MapPartnerInboundPolicyApi();
app.MapInboundFilesApi();
if (SecurityExtensions.IsLocalTokenEndpointEnabled(app.Configuration, app.Environment))
{
    app.MapLocalTokenEndpoint();
}

app.MapApiDocumentation();

await app.InitializeDatabaseAsync();
await app.PrepareDemoAsync();
await app.RunAsync();

/// <summary>Entry point; public so that tests can start the app with WebApplicationFactory.</summary>
public partial class Program;
