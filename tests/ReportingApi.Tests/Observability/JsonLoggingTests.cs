using System.Globalization;
using System.Text.Json;
using Lambda.Hosting.Http;
using Lambda.Hosting.RuntimeApi;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using ReportingApi.Observability;

namespace ReportingApi.Tests.Observability;

public sealed class JsonLoggingTests
{
    [Fact]
    public async Task With_the_Json_format_console_entries_are_single_line_JSON_with_UTC_timestamps_and_the_Lambda_ids()
    {
        await using var app = BuildApp(new() { ["Logging:Format"] = "Json" });

        Assert.Equal(ConsoleFormatterNames.Json, app.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName);
        var formatter = app.Services.GetServices<ConsoleFormatter>().Single(f => f.Name == ConsoleFormatterNames.Json);
        var scopes = new LoggerExternalScopeProvider();
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using (scopes.Push(LambdaLogScopeStartupFilter.ScopeState("req-1", "Root=1-abc-def")))
        {
            var entry = new LogEntry<string>(LogLevel.Information, "Test", new EventId(7), "line one\nline two", null, (state, _) => state);
            formatter.Write(in entry, scopes, output);
        }

        var line = Assert.Single(output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        Assert.EndsWith("Z", root.GetProperty("Timestamp").GetString(), StringComparison.Ordinal);
        Assert.True(DateTimeOffset.TryParse(root.GetProperty("Timestamp").GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _));
        Assert.Equal("line one\nline two", root.GetProperty("Message").GetString());
        var scope = Assert.Single(root.GetProperty("Scopes").EnumerateArray());
        Assert.Equal("req-1", scope.GetProperty("AwsRequestId").GetString());
        Assert.Equal("Root=1-abc-def", scope.GetProperty("TraceId").GetString());
    }

    [Fact]
    public async Task Without_the_setting_the_console_format_is_unchanged()
    {
        await using var app = BuildApp([]);

        Assert.NotEqual(ConsoleFormatterNames.Json, app.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName);
    }

    [Fact]
    public async Task A_request_on_Lambda_logs_inside_a_scope_with_its_request_and_trace_ids()
    {
        var capture = new ScopeCapturingProvider();
        await using var app = BuildApp([], services =>
        {
            // Registered before AddObservability, so it runs first, as the Lambda server sets the feature before any middleware.
            services.AddSingleton<IStartupFilter>(new InvocationFeatureFilter());
        });
        app.Services.GetRequiredService<ILoggerFactory>().AddProvider(capture);
        app.MapGet("/", (ILogger<JsonLoggingTests> logger) =>
        {
            logger.LogInformation("inside the request");
            return "ok";
        });
        await app.StartAsync();

        var response = await app.GetTestClient().GetStringAsync("/");

        Assert.Equal("ok", response);
        var scope = Assert.Single(capture.ScopesOf("inside the request"));
        Assert.Equal("lambda-request-42", scope[LambdaLogScopeStartupFilter.RequestIdKey]);
        Assert.Equal("Root=1-5759e988-bd862e3fe1be46a994272793", scope[LambdaLogScopeStartupFilter.TraceIdKey]);
    }

    private static WebApplication BuildApp(Dictionary<string, string?> settings, Action<IServiceCollection>? before = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(settings);
        before?.Invoke(builder.Services);
        builder.Services.AddObservability(builder.Configuration);
        return builder.Build();
    }

    private sealed class InvocationFeatureFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Features.Set<ILambdaInvocationFeature>(new Feature(new LambdaInvocation(
                    "lambda-request-42", DateTimeOffset.UtcNow.AddMinutes(1), null, "Root=1-5759e988-bd862e3fe1be46a994272793", ReadOnlyMemory<byte>.Empty)));
                return nextMiddleware(context);
            });
            next(app);
        };

        private sealed record Feature(LambdaInvocation Invocation) : ILambdaInvocationFeature;
    }

    /// <summary>Records, for each message, the key/value pairs of the scopes it was logged in.</summary>
    private sealed class ScopeCapturingProvider : ILoggerProvider, ISupportExternalScope
    {
        private readonly List<(string Message, Dictionary<string, object?> Scope)> _entries = [];
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

        public IEnumerable<Dictionary<string, object?>> ScopesOf(string message)
        {
            lock (_entries)
            {
                return [.. _entries.Where(e => e.Message == message).Select(e => e.Scope)];
            }
        }

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class Logger(ScopeCapturingProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var scope = new Dictionary<string, object?>(StringComparer.Ordinal);
                owner._scopes.ForEachScope(
                    (value, target) =>
                    {
                        if (value is IEnumerable<KeyValuePair<string, object>> pairs)
                        {
                            foreach (var pair in pairs)
                            {
                                target[pair.Key] = pair.Value;
                            }
                        }
                    },
                    scope);
                lock (owner._entries)
                {
                    owner._entries.Add((formatter(state, exception), scope));
                }
            }
        }
    }
}
