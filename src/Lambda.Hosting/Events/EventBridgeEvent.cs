using System.Text.Json;

namespace Lambda.Hosting.Events;

/// <summary>An EventBridge event envelope; the <see cref="Detail"/> is left as JSON for the handler to read.</summary>
/// <param name="Id">The event id.</param>
/// <param name="Source">E.g. <c>aws.transfer</c>, <c>aws.events</c> (scheduled rules).</param>
/// <param name="DetailType">E.g. <c>SFTP Connector File Send Completed</c>, <c>Scheduled Event</c>.</param>
/// <param name="Account">The AWS account the event belongs to.</param>
/// <param name="Region">The region the event came from.</param>
/// <param name="Time">When the event happened.</param>
/// <param name="Resources">ARNs of the resources the event is about.</param>
/// <param name="Detail">The event-specific part (an object; <c>{}</c> for scheduled events).</param>
public sealed record EventBridgeEvent(
    string? Id,
    string Source,
    string DetailType,
    string? Account,
    string? Region,
    DateTimeOffset Time,
    IReadOnlyList<string> Resources,
    JsonElement Detail);
