namespace ReportingApi.Storage;

/// <summary>
/// The rules every object key follows, in every store: relative, '/'-separated, no empty, '.' or '..' segments,
/// no backslashes or control characters. On disk this is what keeps a key inside the store's root.
/// </summary>
public static class ObjectKeys
{
    /// <summary>S3's limit, in UTF-8 bytes.</summary>
    public const int MaxKeyBytes = 1024;

    public const char Separator = '/';

    /// <summary>Throws <see cref="ArgumentException"/> when <paramref name="key"/> is not a valid object key.</summary>
    public static void Validate(string key, string parameterName = "key")
    {
        ArgumentNullException.ThrowIfNull(key, parameterName);
        var problem = FindProblem(key);
        if (problem is not null)
        {
            throw new ArgumentException($"Invalid object key '{key}': {problem}.", parameterName);
        }
    }

    public static bool IsValid(string key) => FindProblem(key) is null;

    private static string? FindProblem(string key)
    {
        if (key.Length == 0)
        {
            return "it is empty";
        }

        if (System.Text.Encoding.UTF8.GetByteCount(key) > MaxKeyBytes)
        {
            return $"it is longer than {MaxKeyBytes} bytes";
        }

        if (key.Contains('\\', StringComparison.Ordinal))
        {
            return "it contains a backslash";
        }

        if (key.Any(char.IsControl))
        {
            return "it contains a control character";
        }

        if (key[0] == Separator || Path.IsPathRooted(key) || HasDrivePrefix(key))
        {
            return "it is an absolute path";
        }

        foreach (var segment in key.Split(Separator))
        {
            if (segment.Length == 0)
            {
                return "it has an empty segment";
            }

            if (segment is "." or "..")
            {
                return "it has a '.' or '..' segment";
            }
        }

        return null;
    }

    // "C:..." is rooted on Windows only; reject it everywhere so that keys mean the same on every machine.
    private static bool HasDrivePrefix(string key) => key.Length >= 2 && char.IsAsciiLetter(key[0]) && key[1] == ':';
}
