using System.Reflection;
using NetArchTest.Rules;

namespace ReportingApi.Tests.Architecture;

/// <summary>
/// The app's feature folders (one namespace each, <c>ReportingApi.{Folder}</c> and below) depend on each other in one
/// direction only: a folder may use the folders in the rows below its own, never one in its own row or above. A new
/// dependency against that order, and so any cycle, fails here; a new folder fails until it has a row. The README's
/// layout section repeats the table. NetArchTest reads the compiled IL, so uses inside method bodies count too.
/// </summary>
public sealed class FolderDependencyTests
{
    /// <summary>Top row first.</summary>
    public static readonly string[][] Layers =
    [
        ["Hosting"],
        ["Demo", "DropFolder", "PartnerAdmin", "RunAdmin", "Webhooks", "OpenApi"],
        ["Subscriptions"],
        ["Runs"],
        ["Reports", "Audit", "Inbound"],
        ["Partners"],
        ["Delivery", "SftpUsers"],
        ["Pgp", "Storage", "Security", "Health", "Schedules"],
        ["Problems"],
        ["Data"],
        ["Secrets", "Observability"],
        ["Aws"],
    ];

    private const string Root = "ReportingApi";

    private static readonly Assembly App = typeof(Program).Assembly;

    public static TheoryData<string> Folders() => [.. Layers.SelectMany(row => row)];

    [Theory]
    [MemberData(nameof(Folders))]
    public void A_folder_uses_no_folder_in_its_own_row_or_above(string folder)
    {
        var row = Array.FindIndex(Layers, layer => layer.Contains(folder));
        var forbidden = Layers.Take(row + 1).SelectMany(layer => layer).Where(other => other != folder);

        var violations = forbidden
            .Select(other => (Other: other, Result: Types.InAssembly(App).That().ResideInNamespace($"{Root}.{folder}")
                .ShouldNot().HaveDependencyOn($"{Root}.{other}").GetResult()))
            .Where(check => !check.Result.IsSuccessful)
            .Select(check => $"{folder} -> {check.Other}: {string.Join(", ", check.Result.FailingTypeNames ?? [])}")
            .ToList();

        Assert.True(violations.Count == 0, "Dependencies against the folder order (move the code, or change the table here and in the README):\n" + string.Join("\n", violations));
    }

    [Fact]
    public void Every_folder_of_the_app_has_a_row()
    {
        var folders = App.GetTypes()
            .Select(type => type.Namespace)
            .OfType<string>()
            .Where(ns => ns.StartsWith(Root + ".", StringComparison.Ordinal))
            .Select(ns => ns.Split('.')[1])
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Equal(Layers.SelectMany(row => row).Order(StringComparer.Ordinal), folders);
    }
}
