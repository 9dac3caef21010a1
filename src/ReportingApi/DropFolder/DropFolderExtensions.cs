using ReportingApi.Runs;

namespace ReportingApi.DropFolder;

public static class DropFolderExtensions
{
    /// <summary>Runs that deliver files dropped in partners' drop folders (<see cref="DropFolderFileSource"/>); after <c>AddRuns</c>.</summary>
    public static IServiceCollection AddDropFolder(this IServiceCollection services) =>
        services.AddRunFileSource<DropFolderFileSource>();

    /// <summary>
    /// The handler of the bucket's S3 notifications, which make those runs. Only Lambda receives them, so the Lambda
    /// wiring adds this and routes the notifications to it; it needs <c>AddDropFolder</c>, the partner store and the object store.
    /// </summary>
    public static IServiceCollection AddDropFolderNotifications(this IServiceCollection services) =>
        services.AddScoped<DropFolderNotificationHandler>();
}
