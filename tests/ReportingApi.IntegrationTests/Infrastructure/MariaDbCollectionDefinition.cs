namespace ReportingApi.IntegrationTests.Infrastructure;

/// <summary>
/// Tests on the shared private MariaDB server. They run one after another (xunit runs a collection serially),
/// which the tests that stop and restart the server rely on.
/// </summary>
[CollectionDefinition(Name)]
public sealed class MariaDbCollectionDefinition : ICollectionFixture<MariaDbFixture>
{
    public const string Name = "MariaDB";
}
