namespace Lambda.Hosting.Events;

/// <summary>An event nobody handles: an unrecognised shape, or a kind without a registered handler.</summary>
internal sealed class LambdaEventNotHandledException(string message) : Exception(message);
