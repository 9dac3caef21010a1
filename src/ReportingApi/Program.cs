using System.Text.Json.Serialization;
using Lambda.Hosting;
using ReportingApi.Audit;
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
using ReportingApi.RunAdmin;
using ReportingApi.Runs;
using ReportingApi.Security;
using ReportingApi.SftpUsers;
using ReportingApi.Storage;
using ReportingApi.Subscriptions;
using ReportingApi.Webhooks;

StartupTimeline.Current.Complete("runtime start");
var builder = WebApplication.CreateBuilder(args);
StartupTimeline.Current.Complete("CreateBuilder");

// Enums read and write as their names ("Sftp", not 1) in every request, response and the OpenAPI document, so what an
// operator reads can be sent back as it is.
builder.Services.ConfigureHttpJsonOptions(options => options.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));

builder.Services
    .AddProblems()
    .AddData()
    .AddPartners()
    .AddAudit()
    .AddSecurity(builder.Configuration, builder.Environment)
    .AddRendering()
    .AddReports()
    .AddPgp()
    .AddStorage()
    .AddDelivery()
    .AddSftpUsers()
    .AddInbound()
    .AddRuns()
    .AddSubscriptions()
    .AddDropFolder()
    .AddWebhooks()
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
    builder.Services.AddRunWorker().AddWebhookWorker().AddInboundSweep();
}

StartupTimeline.Current.Complete("services added");
var app = builder.Build();
StartupTimeline.Current.Complete("Build");

app.UseProblems();
app.UseAuthentication();
app.UseAuthorization();

app.MapHealth();
app.MapReportsApi();
app.MapRunsApi();
app.MapSubscriptionsApi();
app.MapSubscriptionsAdminApi();
app.MapPartnersAdminApi();
app.MapRunsAdminApi();
app.MapAuditApi();
app.MapWebhooksAdminApi();
app.MapPartnerSftpUserApi();
app.MapPartnerInboundPolicyApi();
app.MapInboundFilesApi();
if (SecurityExtensions.IsLocalTokenEndpointEnabled(app.Configuration, app.Environment))
{
    app.MapLocalTokenEndpoint();
}

app.MapApiDocumentation();
StartupTimeline.Current.Complete("endpoints mapped");

await app.InitializeDatabaseAsync();
StartupTimeline.Current.Complete("database checked");
await app.PrepareDemoAsync();
StartupTimeline.Current.Complete("demo prepared");
app.Lifetime.ApplicationStarted.Register(() => StartupTimeline.Current.Complete("host started"));
await app.RunAsync();

/// <summary>Entry point; public so that tests can start the app with WebApplicationFactory.</summary>
public partial class Program;
