namespace ReportingApi.SftpUsers;

/// <summary>Why a key line was refused.</summary>
public enum SshKeyRefusalReason
{
    Empty,

    /// <summary>Not an SSH public key line: no type, no base64, a blob that does not parse, an ECDSA point off its curve.</summary>
    Malformed,

    /// <summary>The line starts with <c>authorized_keys</c> options (<c>from=</c>, <c>command=</c>...), which AWS Transfer Family has no place for.</summary>
    OptionsNotSupported,

    /// <summary>DSA, certificates, hardware security keys and other types.</summary>
    UnsupportedType,

    /// <summary>The type the line names is not the type inside the key data (or, for ECDSA, not its curve).</summary>
    TypeMismatch,

    RsaTooSmall,

    /// <summary>Longer than AWS Transfer Family takes.</summary>
    TooLong,

    /// <summary>The same key as an earlier line (comments aside).</summary>
    Duplicate,

    /// <summary>More keys than <see cref="SshKeyValidation.MaximumKeys"/>.</summary>
    TooMany,
}

/// <summary>A refused key line: its position in the list given, why, and its fingerprint when the key data could be read.</summary>
public sealed record SshKeyRefusal(int Index, SshKeyRefusalReason Reason, string Message, string? Fingerprint = null);

/// <summary>
/// The keys a partner's SFTP user is to have, checked as a whole: every line parsed (<see cref="SshPublicKey.TryParse"/>),
/// the same key twice refused, and at most <see cref="MaximumKeys"/> keys. Valid only when nothing was refused; a caller
/// changes nothing then (the refusals say what to fix, per line).
/// </summary>
public sealed class SshKeyValidation
{
    /// <summary>
    /// Keys per partner: enough for a few systems plus the overlap of a key rotation, well below the 50 per user
    /// AWS Transfer Family allows, so a list pasted by mistake (a whole authorized_keys of a team) is caught.
    /// </summary>
    public const int MaximumKeys = 10;

    private SshKeyValidation(IReadOnlyList<SshPublicKey> keys, IReadOnlyList<SshKeyRefusal> refusals)
    {
        Keys = keys;
        Refusals = refusals;
    }

    /// <summary>The accepted keys, in the order given.</summary>
    public IReadOnlyList<SshPublicKey> Keys { get; }

    public IReadOnlyList<SshKeyRefusal> Refusals { get; }

    public bool IsValid => Refusals.Count == 0;

    public static SshKeyValidation Of(IReadOnlyList<string?> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var keys = new List<SshPublicKey>();
        var refusals = new List<SshKeyRefusal>();
        var indexOfKey = new List<int>();
        for (var index = 0; index < lines.Count; index++)
        {
            if (!SshPublicKey.TryParse(lines[index], out var key, out var refusal))
            {
                refusals.Add(refusal with { Index = index });
                continue;
            }

            var earlier = keys.FindIndex(key.SameKeyAs);
            if (earlier >= 0)
            {
                refusals.Add(new SshKeyRefusal(index, SshKeyRefusalReason.Duplicate, $"The same key as the one at index {indexOfKey[earlier]}.", key.Fingerprint));
            }
            else if (keys.Count == MaximumKeys)
            {
                refusals.Add(new SshKeyRefusal(index, SshKeyRefusalReason.TooMany, $"At most {MaximumKeys} keys per partner.", key.Fingerprint));
            }
            else
            {
                keys.Add(key);
                indexOfKey.Add(index);
            }
        }

        return new SshKeyValidation(keys, refusals);
    }
}
