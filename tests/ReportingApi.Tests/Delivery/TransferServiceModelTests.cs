using System.Text.Json;
using ReportingApi.TestSupport.Aws;

namespace ReportingApi.Tests.Delivery;

/// <summary>
/// The checks <see cref="FakeTransferService"/> makes with AWS's model of the Transfer API (botocore's service-2.json),
/// each shown to refuse what it should: so a request the fake lets through is one the model accepts.
/// </summary>
public sealed class TransferServiceModelTests
{
    private const string ConnectorId = "c-0123456789abcdef0";
    private static readonly ServiceModel Model = ServiceModel.Load("transfer", "2018-11-05");

    [Fact]
    public void A_request_as_the_client_sends_it_passes()
    {
        Assert.Equal("TransferService", Model.TargetPrefix);
        Assert.Empty(Problems("StartFileTransfer", new { ConnectorId, SendFilePaths = new[] { "/bucket/a.csv.part" }, RemoteDirectoryPath = "/inbound" }));
        Assert.Empty(Problems("ListFileTransferResults", new { ConnectorId, TransferId = "t-1", NextToken = "page-2", MaxResults = 1000 }));
    }

    [Theory]
    [InlineData("""{"SendFilePaths":["/b/a"]}""", "StartFileTransfer.ConnectorId is required")]
    [InlineData("""{"ConnectorId":"c-0123456789abcdef0","SendFilePath":["/b/a"]}""", "StartFileTransfer.SendFilePath is not a member of the model")]
    [InlineData("""{"ConnectorId":"c-0123456789abcdef0","SendFilePaths":"/b/a"}""", "StartFileTransfer.SendFilePaths is String, not the model's list (FilePaths)")]
    [InlineData("""{"ConnectorId":"c-0123456789abcdef0","SendFilePaths":[]}""", "StartFileTransfer.SendFilePaths has 0 members, fewer than 1")]
    [InlineData("""{"ConnectorId":"c-0123456789abcdef0","SendFilePaths":[""]}""", "StartFileTransfer.SendFilePaths[0] has 0 characters, fewer than 1")]
    [InlineData("""{"ConnectorId":"C-0123456789ABCDEF0","SendFilePaths":["/b/a"]}""", "StartFileTransfer.ConnectorId 'C-0123456789ABCDEF0' does not match c-([0-9a-f]{17})")]
    [InlineData("""{"ConnectorId":"c-0123456789abcdef0","TransferId":"t-1","MaxResults":0}""", "ListFileTransferResults.MaxResults has 0, fewer than 1")]
    public void What_the_model_refuses_is_named(string body, string problem)
    {
        var operation = problem.Split('.')[0];

        Assert.Contains(problem, Model.Problems(operation, JsonDocument.Parse(body).RootElement));
    }

    [Fact]
    public void More_than_ten_paths_an_enum_value_the_model_lacks_and_an_unknown_operation_are_refused()
    {
        Assert.Contains(
            "StartFileTransfer.SendFilePaths has 11 members, more than 10",
            Problems("StartFileTransfer", new { ConnectorId, SendFilePaths = Enumerable.Range(0, 11).Select(i => $"/b/{i}").ToArray() }));
        Assert.Contains(Problems("CreateServer", new { Protocols = new[] { "SFTP", "SCP" } }), problem => problem.StartsWith("CreateServer.Protocols[1] 'SCP' is none of", StringComparison.Ordinal));
        Assert.Equal(["SendFiles is not an operation of the model"], Problems("SendFiles", new { ConnectorId }));
    }

    private static IReadOnlyList<string> Problems(string operation, object body) =>
        Model.Problems(operation, JsonSerializer.SerializeToElement(body));
}
