using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace ReportingApi.Tests.Deployment;

/// <summary>The deployment files of the repository, found from the test's output folder upwards.</summary>
internal static class DeploymentFiles
{
    public const string ServerlessTemplate = "serverless.template";
    public const string PartnerTemplate = "deploy/partner.template";
    public const string AppProject = "src/ReportingApi/ReportingApi.csproj";

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string PathOf(string relativePath) => Path.Combine(RepositoryRoot, relativePath);

    public static JsonObject Load(string relativePath) =>
        JsonNode.Parse(File.ReadAllText(PathOf(relativePath)))?.AsObject()
        ?? throw new InvalidOperationException($"{relativePath} is empty.");

    /// <summary>Every CloudFormation template of the repository, relative to its root: serverless.template and deploy/*.template.</summary>
    public static IReadOnlyList<string> Templates() =>
        [ServerlessTemplate, .. Directory.GetFiles(PathOf("deploy"), "*.template").Order(StringComparer.Ordinal).Select(path => Path.GetRelativePath(RepositoryRoot, path))];

    public static JsonObject Resources(JsonObject template) => template["Resources"]!.AsObject();

    public static IEnumerable<KeyValuePair<string, JsonObject>> ResourcesOfType(JsonObject template, string type) =>
        Resources(template)
            .Where(resource => (string?)resource.Value!["Type"] == type)
            .Select(resource => KeyValuePair.Create(resource.Key, resource.Value!.AsObject()));

    /// <summary>The name the build gives the app's assembly: its &lt;AssemblyName&gt;, else the project file's name.</summary>
    public static string AppAssemblyName()
    {
        var project = XDocument.Load(PathOf(AppProject));
        var assemblyName = project.Descendants("AssemblyName").Select(element => element.Value.Trim()).LastOrDefault();
        return string.IsNullOrEmpty(assemblyName) ? Path.GetFileNameWithoutExtension(AppProject) : assemblyName;
    }

    private static string FindRepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "ReportingApi.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No ReportingApi.sln above {AppContext.BaseDirectory}.");
    }
}
