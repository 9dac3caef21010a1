using System.Collections.Concurrent;
using System.Text.Json;
using ReportingApi.Delivery.Connector;

namespace ReportingApi.TestSupport.Aws;

/// <summary>
/// Acts like a connector behind the fake API: sends <c>/bucket/key</c> objects of the store into a local "remote"
/// folder, named after the object; reports IN_PROGRESS on the first poll, then COMPLETED (or FAILED), two results
/// per page; renames on StartRemoteMove. Anything a real connector would refuse goes to <see cref="Problems"/>.
/// </summary>
public sealed class FakeSftpConnector(Func<string, string> objectPath, string bucket, string remoteRoot)
{
    private const int PageSize = 2;
    private readonly ConcurrentDictionary<string, SentTransfer> _transfers = new();
    private int _transferCount;

    public HashSet<string> FailingNames { get; } = [];

    public bool NeverComplete { get; set; }

    /// <summary>Polls of a transfer answered IN_PROGRESS before it completes.</summary>
    public int InProgressPolls { get; set; } = 1;

    /// <summary>Every transfer started: its id and the <c>/bucket/key</c> paths it sends.</summary>
    public IReadOnlyList<(string TransferId, IReadOnlyList<string> Paths)> Transfers =>
        [.. _transfers.OrderBy(t => t.Value.Number).Select(t => (t.Key, (IReadOnlyList<string>)t.Value.Paths))];

    /// <summary>Every rename made, in order: the MoveId answered and the absolute remote paths.</summary>
    public ConcurrentQueue<(string MoveId, string SourcePath, string TargetPath)> Moves { get; } = new();

    public ConcurrentQueue<string> Problems { get; } = new();

    public FakeReply Handle(RecordedCall call) => call.Operation switch
    {
        "StartFileTransfer" => Send(call.Body),
        "ListFileTransferResults" => List(call.Body),
        "StartRemoteMove" => Move(call.Body),
        _ => FakeReply.Error(400, "InvalidRequestException", $"unexpected {call.Operation}"),
    };

    private FakeReply Send(JsonElement body)
    {
        var remoteDirectory = body.GetProperty("RemoteDirectoryPath").GetString()!;
        var paths = body.GetProperty("SendFilePaths").EnumerateArray().Select(p => p.GetString()!).ToList();
        if (paths.Count is 0 or > 10)
        {
            return FakeReply.Error(400, "ValidationException", "SendFilePaths must have 1 to 10 members");
        }

        foreach (var path in paths)
        {
            var prefix = $"/{bucket}/";
            var key = path.StartsWith(prefix, StringComparison.Ordinal) ? path[prefix.Length..] : null;
            if (key is null || !File.Exists(objectPath(key)) || !key.EndsWith(".part", StringComparison.Ordinal))
            {
                Problems.Enqueue($"cannot send {path}");
                continue;
            }

            var name = key[(key.LastIndexOf('/') + 1)..];
            if (!FailingNames.Contains(name))
            {
                var destination = RemotePath($"{remoteDirectory}/{name}");
                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                File.Copy(objectPath(key), destination, overwrite: true);
            }
        }

        var number = Interlocked.Increment(ref _transferCount);
        var transferId = $"t-{number}";
        _transfers[transferId] = new SentTransfer(paths, number);
        return FakeReply.Ok(new { TransferId = transferId });
    }

    private FakeReply List(JsonElement body)
    {
        if (!_transfers.TryGetValue(body.GetProperty("TransferId").GetString()!, out var transfer))
        {
            return FakeReply.Error(400, "ResourceNotFoundException", "Unknown transfer");
        }

        var offset = body.TryGetProperty("NextToken", out var token) ? int.Parse(token.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : 0;
        if (offset == 0)
        {
            transfer.Polls++;
        }

        var finished = !NeverComplete && transfer.Polls > InProgressPolls;
        var results = transfer.Paths.Skip(offset).Take(PageSize).Select(path =>
        {
            var failing = FailingNames.Contains(path[(path.LastIndexOf('/') + 1)..]);
            return !finished ? new ConnectorFileTransferResult(path, "IN_PROGRESS")
                : failing ? new ConnectorFileTransferResult(path, "FAILED", "CONNECTION_ERROR", "Remote server refused the upload: permission denied")
                : new ConnectorFileTransferResult(path, "COMPLETED");
        }).ToList();
        var next = offset + PageSize < transfer.Paths.Count ? (offset + PageSize).ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        return FakeReply.Ok(next is null ? new { FileTransferResults = results } : new { FileTransferResults = results, NextToken = next });
    }

    private FakeReply Move(JsonElement body)
    {
        var source = RemotePath(body.GetProperty("SourcePath").GetString()!);
        if (!File.Exists(source))
        {
            Problems.Enqueue($"nothing to move at {body.GetProperty("SourcePath").GetString()}");
            return FakeReply.Error(400, "InvalidRequestException", "no such file");
        }

        File.Move(source, RemotePath(body.GetProperty("TargetPath").GetString()!), overwrite: true);
        var moveId = Guid.NewGuid().ToString();
        Moves.Enqueue((moveId, body.GetProperty("SourcePath").GetString()!, body.GetProperty("TargetPath").GetString()!));
        return FakeReply.Ok(new { MoveId = moveId });
    }

    private string RemotePath(string absolute) => Path.Combine(remoteRoot, absolute.TrimStart('/'));

    private sealed class SentTransfer(List<string> paths, int number)
    {
        public List<string> Paths { get; } = paths;

        public int Number { get; } = number;

        public int Polls { get; set; }
    }
}
