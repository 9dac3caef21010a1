namespace Lambda.Hosting.Events;

/// <summary>What an invocation's event is, told from its JSON shape.</summary>
internal enum LambdaEventKind
{
    Unknown,
    HttpApi,
    S3,
    EventBridge,
    AppInvocation,
}
