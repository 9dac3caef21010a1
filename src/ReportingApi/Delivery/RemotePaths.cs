using System.Buffers;

namespace ReportingApi.Delivery;

/// <summary>
/// Checks and joins the names used on a partner's server. Names end up in SFTP paths, connector paths and local paths,
/// so anything that could escape the target directory or be read as syntax by a server or a tool is refused.
/// </summary>
internal static class RemotePaths
{
    /// <summary>Suffix of a file while it is being uploaded; renamed away once complete.</summary>
    public const string PartSuffix = ".part";

    // No report name needs them, and servers and tools read them as syntax: quotes, backslashes (a path separator on
    // Windows servers) and the glob characters * ? [ ].
    private static readonly SearchValues<char> Forbidden = SearchValues.Create("\"\\*?[]");

    public static string PartName(string remoteName) => remoteName + PartSuffix;

    /// <summary>Throws a non-transient <see cref="DeliveryException"/> unless <paramref name="name"/> is a plain file name.</summary>
    public static void ValidateFileName(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name is "." or ".." || name.Contains('/', StringComparison.Ordinal) || !IsSafe(name))
        {
            throw new DeliveryException($"'{Printable(name)}' is not a valid remote file name.", transient: false);
        }
    }

    /// <summary>The directory's segments, checked: no <c>..</c>, no syntax characters. Empty for the root or the login directory.</summary>
    public static string[] DirectorySegments(string directory)
    {
        var segments = directory.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Any(s => s is "." or ".." || !IsSafe(s)))
        {
            throw new DeliveryException($"'{Printable(directory)}' is not a valid remote directory.", transient: false);
        }

        return segments;
    }

    /// <summary>Joins a remote directory (absolute, or relative to the login directory) and a file name with '/'.</summary>
    public static string Combine(string directory, string name)
    {
        var segments = DirectorySegments(directory);
        ValidateFileName(name);
        var prefix = directory.StartsWith('/') ? "/" : "";
        return prefix + string.Join('/', [.. segments, name]);
    }

    private static bool IsSafe(string value) => value.AsSpan().IndexOfAny(Forbidden) < 0 && !value.Any(char.IsControl);

    private static string Printable(string value) => new(value.Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
