using Lambda.Hosting.Events;

namespace ReportingApi.DropFolder;

public static class OutboxExtensions
{
    /// <summary>
    /// The S3 notification handler that delivers files dropped in partners' outboxes. Only Lambda receives S3
    /// notifications, so <c>AddRuns</c> calls this when the app runs there; it needs the run pipeline (<c>AddRuns</c>),
    /// the partner store and the object store.
    /// </summary>
    public static IServiceCollection AddOutbox(this IServiceCollection services) =>
        services.AddLambdaEventHandler<S3Event, OutboxNotificationHandler>();
}
