using ReportingApi.SftpUsers;

namespace ReportingApi.Tests.SftpUsers;

/// <summary>
/// The files the local partner SFTP server reads (deploy/local-partner-sftp.sh; logins through them are tested against a
/// real sshd in the integration tests): what they hold, their modes, and what a put reports as changed.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class OpenSshSftpUsersTests(GeneratedSshKeys generated) : IClassFixture<GeneratedSshKeys>, IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("reportingapi-sftp-users-");

    private string UsersPath => Path.Combine(_folder.FullName, "sftp-users");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public async Task A_new_user_gets_its_keys_and_a_home_of_inbound_read_write_and_reports_read_only()
    {
        var keys = Keys("ed25519", "rsa-3072");

        var change = await new OpenSshSftpUsers(UsersPath).PutAsync(new PartnerSftpUser(12, keys), default);

        Assert.Equal(("partner-12", true, false), (change.UserName, change.Created, change.HomeUpdated));
        Assert.Equal(keys.Select(k => k.Fingerprint), change.KeysAdded);
        var folder = Path.Combine(UsersPath, "partner-12");
        Assert.Equal(keys.Select(k => k.Line), await File.ReadAllLinesAsync(Path.Combine(folder, OpenSshSftpUsers.AuthorizedKeysFile)));
        Assert.Equal(
            ["/inbound rw partners/12/inbound", "/reports ro partners/12/outbound"],
            await File.ReadAllLinesAsync(Path.Combine(folder, OpenSshSftpUsers.HomeFile)));
        // sshd's StrictModes refuses group- or world-writable key files and folders.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(Path.Combine(folder, OpenSshSftpUsers.AuthorizedKeysFile)));
        Assert.All([UsersPath, folder], path => Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute,
            new DirectoryInfo(path).UnixFileMode));
        Assert.Empty(Directory.GetFiles(folder, "*.tmp"));
    }

    [Fact]
    public async Task Putting_the_same_user_again_changes_nothing_and_a_new_key_list_replaces_the_old_one()
    {
        var users = new OpenSshSftpUsers(UsersPath);
        var (kept, old, added) = (Key("ecdsa-256"), Key("ed25519"), Key("ecdsa-521"));
        await users.PutAsync(new PartnerSftpUser(13, [kept, old]), default);

        var again = await users.PutAsync(new PartnerSftpUser(13, [kept, old]), default);
        var rotated = await users.PutAsync(new PartnerSftpUser(13, [kept, added]), default);

        Assert.False(again.Changed);
        Assert.Equal([kept.Fingerprint, old.Fingerprint], again.KeysKept);
        Assert.Equal([added.Fingerprint], rotated.KeysAdded);
        Assert.Equal([old.Fingerprint], rotated.KeysRemoved);
        Assert.Equal([kept.Fingerprint], rotated.KeysKept);
        Assert.Equal([kept.Line, added.Line], await File.ReadAllLinesAsync(Path.Combine(UsersPath, "partner-13", OpenSshSftpUsers.AuthorizedKeysFile)));
    }

    [Fact]
    public async Task A_home_file_that_was_changed_by_hand_is_put_back()
    {
        var users = new OpenSshSftpUsers(UsersPath);
        await users.PutAsync(new PartnerSftpUser(14, Keys("ed25519")), default);
        var home = Path.Combine(UsersPath, "partner-14", OpenSshSftpUsers.HomeFile);
        await File.WriteAllTextAsync(home, "/inbound rw partners/15/inbound\n");

        var change = await users.PutAsync(new PartnerSftpUser(14, Keys("ed25519")), default);

        Assert.True(change.HomeUpdated);
        Assert.Equal(["/inbound rw partners/14/inbound", "/reports ro partners/14/outbound"], await File.ReadAllLinesAsync(home));
    }

    private SshPublicKey Key(string name) => SshKeyValidation.Of([generated.Keys[name].PublicKeyLine]).Keys.Single();

    private List<SshPublicKey> Keys(params string[] names) => [.. names.Select(Key)];
}
