using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ReportingApi.Delivery.Connector;

/// <summary>Where a connector delivery that was handed over to AWS stands.</summary>
public enum ConnectorPhase
{
    /// <summary>The transfer was started; waiting until every file is sent.</summary>
    Sending,

    /// <summary>Every file is sent; waiting until <see cref="ConnectorHandover.CurrentRename"/> is confirmed.</summary>
    Renaming,
}

/// <summary>One rename on the partner's server, from the <c>.part</c> name to the final one.</summary>
public sealed record ConnectorRename(string SourcePath, string TargetPath);

/// <summary>
/// A connector delivery that does not wait in line: the transfer has been started, and EventBridge events (or polls,
/// when an event never comes) move it on: once every file is sent, the renames are made one at a time, in order
/// (the checksum file last), each confirmed before the next. Saved with the run as JSON.
/// </summary>
/// <param name="StagingKeys">The object-store keys the connector sends, one per file; deleted once the delivery ends either way.</param>
/// <param name="PhaseStartedAt">When the current phase (or the current rename) started; timeouts count from here.</param>
/// <param name="MoveId">The MoveId of the current rename, once StartRemoteMove answered.</param>
public sealed record ConnectorHandover(
    string ConnectorId,
    string TransferId,
    IReadOnlyList<string> StagingKeys,
    IReadOnlyList<ConnectorRename> Renames,
    ConnectorPhase Phase,
    int RenameIndex,
    string? MoveId,
    DateTimeOffset PhaseStartedAt)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerOptions.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    public ConnectorRename CurrentRename => Renames[RenameIndex];

    public bool IsLastRename => RenameIndex == Renames.Count - 1;

    /// <summary>The key a pending rename is found by when its event arrives (see <see cref="RenameKey(string, string)"/>).</summary>
    public string CurrentRenameKey => RenameKey(ConnectorId, CurrentRename.SourcePath);

    /// <summary>
    /// Identifies a rename by what the Remote Move events carry (connector id and source path), so it can be saved
    /// before StartRemoteMove is called: the move's event may arrive before its MoveId could be saved.
    /// </summary>
    public static string RenameKey(string connectorId, string sourcePath) =>
        "mv-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{connectorId}\n{sourcePath}")))[..40];

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static ConnectorHandover FromJson(string json) =>
        JsonSerializer.Deserialize<ConnectorHandover>(json, Json) ?? throw new JsonException("The saved connector state is empty.");
}
