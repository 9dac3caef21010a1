using Microsoft.Extensions.Options;

namespace ReportingApi.SftpUsers;

/// <summary>
/// Partner users of the local OpenSSH sshd that <c>deploy/local-partner-sftp.sh</c> runs over the folder object store:
/// one folder per user under <see cref="OpenSshUsersOptions.UsersPath"/> with
/// <list type="bullet">
/// <item><c>authorized_keys</c>: the user's keys, one <c>type base64 [comment]</c> line each (sshd reads it at every login,
/// so key changes apply at once);</item>
/// <item><c>home</c>: one line per home directory, <c>{entry} {rw|ro} {object prefix}</c>, e.g.
/// <c>/inbound rw partners/1/inbound</c>: the script mounts each prefix of the object store folder at the entry of the
/// user's chroot (a user added after the script started needs it restarted).</item>
/// </list>
/// Files are replaced whole (written beside, then renamed) with modes sshd's StrictModes accepts (0755 folders, 0644 files).
/// </summary>
public sealed class OpenSshSftpUsers : IPartnerSftpUsers
{
    public const string AuthorizedKeysFile = "authorized_keys";
    public const string HomeFile = "home";

    private const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private readonly string _root;

    public OpenSshSftpUsers(IOptions<SftpUsersOptions> options, IHostEnvironment environment)
        : this(Path.Combine(environment.ContentRootPath, options.Value.OpenSsh.UsersPath))
    {
    }

    internal OpenSshSftpUsers(string usersPath) => _root = Path.GetFullPath(usersPath);

    /// <summary>The folder holding one folder per user.</summary>
    public string UsersPath => _root;

    public async Task<SftpUserChange> PutAsync(PartnerSftpUser user, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(_root, user.UserName);
        var created = !Directory.Exists(folder);
        CreateFolder(_root);
        CreateFolder(folder);

        var homePath = Path.Combine(folder, HomeFile);
        var home = HomeText(user);
        var homeUpdated = !created && await ReadIfExistsAsync(homePath, cancellationToken) != home;
        if (created || homeUpdated)
        {
            await ReplaceAsync(homePath, home, cancellationToken);
        }

        var keysPath = Path.Combine(folder, AuthorizedKeysFile);
        var currentText = await ReadIfExistsAsync(keysPath, cancellationToken);
        var current = ParseKeys(currentText);
        var kept = user.Keys.Where(key => current.Any(key.SameKeyAs)).Select(key => key.Fingerprint).ToList();
        var added = user.Keys.Where(key => !current.Any(key.SameKeyAs)).Select(key => key.Fingerprint).ToList();
        var removed = current.Where(key => !user.Keys.Any(key.SameKeyAs)).Select(key => key.Fingerprint).Distinct().ToList();
        var keys = string.Concat(user.Keys.Select(key => key.Line + "\n"));
        if (currentText != keys)
        {
            await ReplaceAsync(keysPath, keys, cancellationToken);
        }

        return new SftpUserChange(user.UserName, created, homeUpdated, added, removed, kept);
    }

    public async Task<SftpUserState?> GetAsync(int partnerId, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(_root, PartnerSftpUser.UserNameOf(partnerId));
        if (!Directory.Exists(folder))
        {
            return null;
        }

        var keys = ParseKeys(await ReadIfExistsAsync(Path.Combine(folder, AuthorizedKeysFile), cancellationToken));
        return new SftpUserState(PartnerSftpUser.UserNameOf(partnerId), new PartnerSftpUser(partnerId, []).Home, [.. keys.Select(SftpUserKey.Of)]);
    }

    /// <summary>The <c>home</c> file: <c>{entry} {rw|ro} {object prefix without its trailing '/'}</c> per line.</summary>
    internal static string HomeText(PartnerSftpUser user) =>
        string.Concat(user.Home.Select(directory =>
            $"{directory.Entry} {(directory.Access == SftpAccess.ReadWrite ? "rw" : "ro")} {directory.ObjectPrefix.TrimEnd('/')}\n"));

    private static async Task<string?> ReadIfExistsAsync(string path, CancellationToken cancellationToken) =>
        File.Exists(path) ? await File.ReadAllTextAsync(path, cancellationToken) : null;

    /// <summary>The keys of an authorized_keys file (none when there is no file); lines that are blank, comments or not keys we accept are left out.</summary>
    private static List<SshPublicKey> ParseKeys(string? authorizedKeys)
    {
        var keys = new List<SshPublicKey>();
        foreach (var line in (authorizedKeys ?? "").Split(['\r', '\n']))
        {
            if (!line.TrimStart().StartsWith('#') && SshPublicKey.TryParse(line, out var key, out _))
            {
                keys.Add(key);
            }
        }

        return keys;
    }

    private static void CreateFolder(string path)
    {
        var folder = Directory.CreateDirectory(path);
        if (!OperatingSystem.IsWindows())
        {
            folder.UnixFileMode = FolderMode;
        }
    }

    private static async Task ReplaceAsync(string path, string content, CancellationToken cancellationToken)
    {
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            await File.WriteAllTextAsync(temporary, content, cancellationToken);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporary, FileMode);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
