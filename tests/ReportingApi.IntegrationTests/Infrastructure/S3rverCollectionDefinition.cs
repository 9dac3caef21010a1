namespace ReportingApi.IntegrationTests.Infrastructure;

/// <summary>Tests on one shared s3rver; xunit runs a collection's tests one after another.</summary>
[CollectionDefinition(Name)]
public sealed class S3rverCollectionDefinition : ICollectionFixture<S3rverServer>
{
    public const string Name = "s3rver";
}
