using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;
using ReportingApi.Reports;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ReportingApi.OpenApi;

/// <summary>Marks each operation with the OAuth2 scope its authorization policy requires (policies are named after scopes).</summary>
internal sealed class ScopeRequirementFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var scopes = context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<IAuthorizeData>()
            .Select(data => data.Policy).OfType<string>().Distinct().ToList();
        if (scopes.Count == 0)
        {
            return;
        }

        operation.Security ??= [];
        operation.Security.Add(new OpenApiSecurityRequirement
        {
            [new OpenApiSecuritySchemeReference(ApiDocumentationExtensions.OAuthSchemeName, context.Document)] = scopes,
        });
    }
}

/// <summary>
/// Documents the query parameters of the report download, which the handler reads itself so that every malformed
/// value gets a problem naming it. Examples let Swagger UI's "Try it out" work straight away.
/// </summary>
internal sealed class ReportParametersFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<IEndpointNameMetadata>().FirstOrDefault()?.EndpointName != "DownloadReport")
        {
            return;
        }

        operation.Parameters ??= [];
        if (operation.Parameters.OfType<OpenApiParameter>().FirstOrDefault(parameter => parameter.Name == "report") is { } report)
        {
            report.Description = "Report id from the catalog.";
            report.Schema = Enumeration(ReportCatalog.All.Select(definition => definition.Id));
            report.Example = JsonValue.Create("contracts");
        }

        operation.Parameters.Add(Query(ReportRequest.FormatParameter, "Output format (default csv).", Enumeration(ReportFormats.Names), "csv", required: false));
        operation.Parameters.Add(Query(ReportRequest.FromParameter, "First day of the period (ISO date).", DateSchema(), "2026-01-01", required: true));
        operation.Parameters.Add(Query(ReportRequest.ToParameter, "Last day of the period (ISO date), at most the catalog's maxPeriodDays after from.", DateSchema(), "2026-03-31", required: true));

        var filters = ReportCatalog.All.SelectMany(definition => definition.Filters).GroupBy(filter => filter.Name);
        foreach (var group in filters)
        {
            var reports = string.Join(", ", ReportCatalog.All.Where(definition => definition.Filters.Any(filter => filter.Name == group.Key)).Select(definition => definition.Id));
            var values = group.SelectMany(filter => filter.AllowedValues).Distinct().ToList();
            var schema = values.Count == 0 ? new OpenApiSchema { Type = JsonSchemaType.Integer } : new OpenApiSchema { Type = JsonSchemaType.String };
            operation.Parameters.Add(Query(group.Key, $"Optional filter ({reports}). {(values.Count > 0 ? "Values: " + string.Join(", ", values) + " (per report; see the catalog)." : "An id of one of your employers.")}", schema, null, required: false));
        }
    }

    private static OpenApiParameter Query(string name, string description, OpenApiSchema schema, string? example, bool required) => new()
    {
        Name = name,
        In = ParameterLocation.Query,
        Description = description,
        Required = required,
        Schema = schema,
        Example = example is null ? null : JsonValue.Create(example),
    };

    private static OpenApiSchema Enumeration(IEnumerable<string> values) => new()
    {
        Type = JsonSchemaType.String,
        Enum = values.Select(value => (JsonNode)JsonValue.Create(value)).ToList(),
    };

    private static OpenApiSchema DateSchema() => new() { Type = JsonSchemaType.String, Format = "date" };
}

/// <summary>Example request bodies, so that "Try it out" in Swagger UI starts from a request that works on the demo data.</summary>
internal sealed class RequestExamplesFilter : IOperationFilter
{
    /// <summary>A real Ed25519/Cv25519 public key as gpg exports it (<c>gpg --quick-gen-key NAME future-default</c>), so that "Try it out" stores a key.</summary>
    private const string ExamplePartnerPgpKey = """
        -----BEGIN PGP PUBLIC KEY BLOCK-----

        mDMEawmXARYJKwYBBAHaRw8BAQdAe7Un1vYLtEtrXfV7shSfQVMRYtMBcsVlUhGv
        limvYsS0K0ZhYnJpa2FtIFBheXJvbGwgPHJlcG9ydHNAZmFicmlrYW0uZXhhbXBs
        ZT6IkAQTFggAOBYhBNEZaBtq6MUwtTuyyG0DNjaj8ne/BQJrCZcBAhsDBQsJCAcC
        BhUKCQgLAgQWAgMBAh4BAheAAAoJEG0DNjaj8ne/0hoBAKsihs4WpBeT9hFrgc5B
        UL7sf4q/hWeuLXDe0kEyThsQAP9JhqesiSqFJACgLZapuvTe8EnqjPisMxus6Ltd
        kDZvDrg4BGsJlwESCisGAQQBl1UBBQEBB0AB5wx/wJDdqu1R1xBlXzBflxm25Tpi
        rh9bGBC2lwAQKQMBCAeIeAQYFggAIBYhBNEZaBtq6MUwtTuyyG0DNjaj8ne/BQJr
        CZcBAhsMAAoJEG0DNjaj8ne/ZxoBAO1WcLA5C1Jo+mEHk5gnKmD8GzZTnRAsLfbk
        88AF0XcAAQCzvv1XdsJtRS8qT5OgZBHaYV5wPjHS55RGoEUkwf0BDw==
        =OhF1
        -----END PGP PUBLIC KEY BLOCK-----
        """;

    private static readonly Dictionary<string, string> Examples = new(StringComparer.Ordinal)
    {
        ["CreateReportRun"] = """{"report": "contracts", "format": "csv", "from": "2026-01-01", "to": "2026-03-31", "filters": {"status": "active"}, "armored": false}""",
        ["CreatePartner"] = """{"name": "Fabrikam Payroll", "clientId": "fabrikam-payroll", "active": true, "employerIds": [11, 12], "ipAllowlist": ["203.0.113.0/24"], "allowedReports": ["contracts", "installments"], "allowedFormats": ["csv", "xlsx"], "deleteOutboxAfterDelivery": false}""",
        ["UpdatePartner"] = """{"name": "Fabrikam Payroll", "clientId": "fabrikam-payroll", "active": true, "employerIds": [11, 12], "ipAllowlist": [], "allowedReports": [], "allowedFormats": [], "deleteOutboxAfterDelivery": true}""",
        ["SetPartnerPgpKey"] = new JsonObject { ["armoredPublicKey"] = ExamplePartnerPgpKey + "\n" }.ToJsonString(),
    };

    /// <summary>Operations whose body takes different shapes: each shape a named example (Swagger UI offers them in a list).</summary>
    private static readonly Dictionary<string, (string Name, string Summary, string Json)[]> NamedExamples = new(StringComparer.Ordinal)
    {
        ["SetPartnerDelivery"] =
        [
            ("sftp-private-key", "Sftp, login by private key: the secret (Secrets Manager ARN or name) holds the key, or JSON {\"PrivateKey\", \"Passphrase\"}",
                """{"kind": "Sftp", "remoteDirectory": "/inbound/reports", "host": "sftp.partner.example", "port": 22, "user": "reports", "hostKey": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl", "privateKeySecret": "reportingapi/partners/4/sftp"}"""),
            ("sftp-password", "Sftp, login by password: the secret holds the password, or JSON {\"Password\"}",
                """{"kind": "Sftp", "remoteDirectory": "/inbound/reports", "host": "sftp.partner.example", "port": 22, "user": "reports", "hostKey": "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBHGm5mZ40ZaKhcVvIaWUOQowqH2NbdjHpmv6Er97KXa0/vmfnBc+koSP3lY53mK2vy99iQqAH6XwvVjwXEdUq8Y=", "passwordSecret": "arn:aws:secretsmanager:eu-central-1:123456789012:secret:reportingapi/partners/4/sftp-password-AbCdEf"}"""),
            ("sftp-local-files", "Sftp with local secret files (Secrets:Provider Files): paths relative to Secrets:FolderPath, here an encrypted key and its passphrase; the host key as a line of ssh-keyscan",
                """{"kind": "Sftp", "remoteDirectory": "/inbound/reports", "host": "sftp.partner.example", "port": 2222, "user": "reports", "hostKey": "[sftp.partner.example]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ5VAdlgS6xPdk/AGDGZ6KXNyjJxDJyHrTzOl8BD6xYc", "privateKeySecret": "partners/4/id_ecdsa", "passphraseSecret": "partners/4/id_ecdsa.passphrase"}"""),
            ("aws-connector", "AwsConnector: an AWS Transfer Family SFTP connector, which has its own login",
                """{"kind": "AwsConnector", "remoteDirectory": "/inbound/reports", "connectorId": "c-0123456789abcdef0"}"""),
            ("folder", "Folder: a local folder stands for the partner's server (development)",
                """{"kind": "Folder", "remoteDirectory": "/reports", "folderPath": ".local/sftp/partner-4"}"""),
        ],
    };

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var name = context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<IEndpointNameMetadata>().FirstOrDefault()?.EndpointName;
        if (name is null || operation.RequestBody?.Content is not { } content
            || !content.TryGetValue("application/json", out var json) || json is not OpenApiMediaType mediaType)
        {
            return;
        }

        if (Examples.TryGetValue(name, out var example))
        {
            mediaType.Example = JsonNode.Parse(example);
        }
        else if (NamedExamples.TryGetValue(name, out var examples))
        {
            mediaType.Examples = examples.ToDictionary(
                e => e.Name, IOpenApiExample (e) => new OpenApiExample { Summary = e.Summary, Value = JsonNode.Parse(e.Json) });
        }
    }
}
