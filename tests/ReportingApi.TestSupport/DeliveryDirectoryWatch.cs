using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace ReportingApi.TestSupport;

/// <summary>
/// Watches a partner's delivery directory (a delivery folder, an sshd upload folder; it must exist) while a transfer
/// runs, as a partner's system polling it would: it lists the directory over and over, and reads every file it sees.
/// It also takes the directory's name events in the order the file system reports them (inotify), because two renames
/// a microsecond apart fall between two listings. Afterwards, <see cref="ProblemsDelivering"/> lists every moment the
/// partner could have taken an incomplete delivery.
/// </summary>
public sealed class DeliveryDirectoryWatch : IAsyncDisposable
{
    private const string ChecksumSuffix = ".sha256";

    private readonly string _directory;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<IReadOnlyList<SeenFile>> _snapshots = [];
    private readonly Dictionary<string, (long Length, DateTime Modified, string? Sha256)> _hashes = [];
    private readonly ConcurrentQueue<string> _appeared = new();
    private readonly FileSystemWatcher _nameEvents;
    private readonly Task _polling;
    private string? _eventError;

    private DeliveryDirectoryWatch(string directory)
    {
        _directory = directory;
        _nameEvents = new FileSystemWatcher(directory) { NotifyFilter = NotifyFilters.FileName, InternalBufferSize = 64 * 1024 };
        _nameEvents.Created += (_, e) => _appeared.Enqueue(e.Name!);
        _nameEvents.Renamed += (_, e) => _appeared.Enqueue(e.Name!);
        _nameEvents.Error += (_, e) => _eventError = e.GetException().Message;
        _nameEvents.EnableRaisingEvents = true;
        _polling = Task.Run(PollAsync);
    }

    /// <summary>How many listings were taken.</summary>
    public int Polls { get; private set; }

    public static DeliveryDirectoryWatch Start(string directory) => new(directory);

    /// <summary>Stops watching; call once the transfer is over.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _polling;
        _nameEvents.EnableRaisingEvents = false;
    }

    /// <summary>
    /// What the partner could have seen wrong while <paramref name="fileName"/> and its <c>.sha256</c> were delivered
    /// (call after <see cref="StopAsync"/>): a final name on anything but its complete content, the checksum before the
    /// file, a directory that does not end with exactly the two; and whether the watch saw the transfer under way at all
    /// (a temporary file short of the final length, the final name absent), so that a clean result is not a vacuous one.
    /// </summary>
    public IReadOnlyList<string> ProblemsDelivering(string fileName, byte[] file, byte[] checksum)
    {
        var finalContents = new Dictionary<string, byte[]> { [fileName] = file, [fileName + ChecksumSuffix] = checksum };
        var problems = Violations(finalContents).ToList();
        if (!SawInFlight(fileName, file.Length))
        {
            problems.Add($"the watch ({Polls} listings) never saw the {file.Length}-byte {fileName} on its way");
        }

        var end = Directory.GetFiles(_directory).Select(path => Path.GetFileName(path)).Order(StringComparer.Ordinal).ToList();
        if (!end.SequenceEqual(finalContents.Keys.Order(StringComparer.Ordinal))
            || finalContents.Any(pair => !File.ReadAllBytes(Path.Combine(_directory, pair.Key)).AsSpan().SequenceEqual(pair.Value)))
        {
            problems.Add($"the directory ended with {string.Join(", ", end)}, not exactly the file and its checksum with their content");
        }

        return problems;
    }

    /// <summary>
    /// Every moment a final name showed anything but its complete content (<paramref name="finalContents"/>: final name
    /// to the bytes it must hold), and every <c>.sha256</c> final name seen while the file it describes was not there.
    /// </summary>
    private List<string> Violations(Dictionary<string, byte[]> finalContents)
    {
        var expected = finalContents.ToDictionary(pair => pair.Key, pair => (Length: (long)pair.Value.Length, Sha256: Convert.ToHexStringLower(SHA256.HashData(pair.Value))));
        var violations = new List<string>();
        for (var poll = 0; poll < _snapshots.Count; poll++)
        {
            foreach (var file in _snapshots[poll].Where(file => expected.ContainsKey(file.Name)))
            {
                var (length, sha256) = expected[file.Name];
                if (file.Sha256 is null)
                {
                    violations.Add($"listing {poll}: {file.Name} ({file.Length} of {length} bytes) was still open for writing");
                }
                else if (file.Length != length || file.Sha256 != sha256)
                {
                    violations.Add($"listing {poll}: {file.Name} held {file.Length} of {length} bytes, not the complete file");
                }

                if (file.Name.EndsWith(ChecksumSuffix, StringComparison.Ordinal) && !file.DescribedFilePresent)
                {
                    violations.Add($"listing {poll}: {file.Name} was there before the file it describes");
                }
            }
        }

        // In the order the names appeared: a checksum file after the file it describes.
        var appeared = _appeared.ToList();
        foreach (var checksum in expected.Keys.Where(name => name.EndsWith(ChecksumSuffix, StringComparison.Ordinal)))
        {
            var described = checksum[..^ChecksumSuffix.Length];
            var (describedAt, checksumAt) = (appeared.IndexOf(described), appeared.IndexOf(checksum));
            if (describedAt < 0 || checksumAt < 0 || checksumAt < describedAt)
            {
                violations.Add($"names appeared in the order {string.Join(", ", appeared)}: {checksum} must come after {described}");
            }
        }

        if (_eventError is not null)
        {
            violations.Add($"the file system's name events were lost ({_eventError}), so their order is unknown");
        }

        return violations;
    }

    /// <summary>
    /// Whether some listing showed the transfer of <paramref name="finalName"/> under way: the final name absent and a
    /// temporary file for it (a name holding the final one, such as <c>{name}.part</c>, not its checksum's) short of
    /// the final <paramref name="finalLength"/>.
    /// </summary>
    private bool SawInFlight(string finalName, long finalLength) =>
        _snapshots.Any(files => files.All(file => file.Name != finalName)
            && files.Any(file => file.Name != finalName
                && file.Name.Contains(finalName, StringComparison.Ordinal)
                && !file.Name.Contains(finalName + ChecksumSuffix, StringComparison.Ordinal)
                && file.Length < finalLength));

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _stop.Dispose();
        _nameEvents.Dispose();
    }

    private async Task PollAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var files = new List<SeenFile>();
            foreach (var path in ListFiles())
            {
                if (await SeeAsync(path) is { } file)
                {
                    files.Add(file);
                }
            }

            Polls++;
            // Consecutive identical listings (a throttled transfer between two reads) are kept once.
            if (_snapshots.Count == 0 || !_snapshots[^1].SequenceEqual(files))
            {
                _snapshots.Add(files);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(2), CancellationToken.None);
        }
    }

    private string[] ListFiles() => Directory.GetFiles(_directory);

    /// <summary>The file as it is now, or null when it went away (renamed) between the listing and the look.</summary>
    private async Task<SeenFile?> SeeAsync(string path)
    {
        var name = Path.GetFileName(path);
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            return null;
        }

        var describedFilePresent = name.EndsWith(ChecksumSuffix, StringComparison.Ordinal) && File.Exists(path[..^ChecksumSuffix.Length]);
        var (length, modified) = (info.Length, info.LastWriteTimeUtc);
        if (!_hashes.TryGetValue(name, out var known) || known.Length != length || known.Modified != modified || known.Sha256 is null)
        {
            try
            {
                // Read with every sharing mode allowed, as another program would: the writer's lock is what stops it.
                await using var content = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                known = await HashAsync(content, modified);
            }
            catch (FileNotFoundException)
            {
                return null;
            }
            catch (IOException)
            {
                known = (length, modified, null);
            }

            _hashes[name] = known;
        }

        return new SeenFile(name, known.Length, known.Sha256, describedFilePresent);
    }

    /// <summary>One file as one listing saw it.</summary>
    /// <param name="Sha256">Its content's hash, or null when it could not be read (still open for writing).</param>
    /// <param name="DescribedFilePresent">For a <c>.sha256</c> file: whether the file it describes was there when it was seen.</param>
    private sealed record SeenFile(string Name, long Length, string? Sha256, bool DescribedFilePresent);

    /// <summary>The hash and length of what was read: a file being written may grow while it is read.</summary>
    private static async Task<(long Length, DateTime Modified, string? Sha256)> HashAsync(Stream content, DateTime modified)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        long length = 0;
        int read;
        while ((read = await content.ReadAsync(buffer)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            length += read;
        }

        return (length, modified, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }
}
