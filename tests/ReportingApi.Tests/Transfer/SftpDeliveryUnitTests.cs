using System.Buffers.Binary;
using System.Text;
using ReportingApi.Transfer;

namespace ReportingApi.Tests.Transfer;

/// <summary>The parts of <see cref="SftpDelivery"/> that need no server: target checks, host key pinning, batch, failure reasons.</summary>
public sealed class SftpDeliveryUnitTests
{
    private static readonly string Ed25519Key = "ssh-ed25519 " + KeyBlob("ssh-ed25519");

    [Fact]
    public void A_host_key_is_accepted_only_when_its_blob_is_a_key_of_the_named_type()
    {
        Assert.Equal(("ssh-ed25519", KeyBlob("ssh-ed25519")), SftpDelivery.SftpServer.ParseHostKey(Ed25519Key + " root@partner"));
        Assert.Null(SftpDelivery.SftpServer.ParseHostKey("ssh-rsa " + KeyBlob("ssh-ed25519")));
        Assert.Null(SftpDelivery.SftpServer.ParseHostKey("SHA256:bcmpKTMzDpDRL/bUd1ou0OSi/KPnWyjHXxokBDHYjj8"));
        Assert.Null(SftpDelivery.SftpServer.ParseHostKey("ssh-ed25519 not-base64!"));
        Assert.Null(SftpDelivery.SftpServer.ParseHostKey(""));
        Assert.Null(SftpDelivery.SftpServer.ParseHostKey(null));
    }

    [Fact]
    public void The_known_hosts_line_names_the_port_the_way_ssh_looks_it_up()
    {
        using var key = new TempKeyFile();

        Assert.Equal($"[127.0.0.1]:2222 {Ed25519Key}", SftpDelivery.SftpServer.From(Target(key.Path, port: 2222)).KnownHostsLine);
        Assert.Equal($"sftp.partner.example {Ed25519Key}", SftpDelivery.SftpServer.From(Target(key.Path, host: "SFTP.Partner.Example", port: 22)).KnownHostsLine);
    }

    [Theory]
    [InlineData(null, "u", true, "Host")]
    [InlineData("-oProxyCommand=x", "u", true, "Host")]
    [InlineData("host", "-u", true, "User")]
    [InlineData("host", "u", false, "HostKey")]
    public void A_target_that_is_incomplete_or_unsafe_is_refused_for_good(string? host, string user, bool withHostKey, string named)
    {
        using var key = new TempKeyFile();
        var target = new DeliveryTarget(DeliveryKind.Sftp, "/in", Host: host, Port: 22, User: user, HostKey: withHostKey ? Ed25519Key : null, PrivateKeyPath: key.Path);

        var error = Assert.Throws<DeliveryException>(() => SftpDelivery.SftpServer.From(target));

        Assert.False(error.Transient);
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_private_key_file_is_refused_without_naming_more_than_that()
    {
        var error = Assert.Throws<DeliveryException>(() => SftpDelivery.SftpServer.From(Target("/nonexistent/partner_key")));

        Assert.False(error.Transient);
        Assert.Contains("private key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_batch_puts_every_file_as_part_first_and_renames_afterwards_in_order()
    {
        var batch = SftpDelivery.BuildBatch("/tmp/work", ["file-0", "file-1"], ["/in/r.pgp", "/in/r.pgp.sha256"]);

        Assert.Equal(
            """
            lcd "/tmp/work"
            -rm "/in/r.pgp.part"
            put file-0 "/in/r.pgp.part"
            -rm "/in/r.pgp.sha256.part"
            put file-1 "/in/r.pgp.sha256.part"
            rename "/in/r.pgp.part" "/in/r.pgp"
            rename "/in/r.pgp.sha256.part" "/in/r.pgp.sha256"

            """.ReplaceLineEndings("\n"),
            batch);
    }

    [Fact]
    public void The_arguments_pin_the_host_key_and_allow_only_the_configured_key()
    {
        using var key = new TempKeyFile();
        var arguments = SftpDelivery.BuildArguments(SftpDelivery.SftpServer.From(Target(key.Path, port: 2222)), "/w/known_hosts", "/w/batch", 20);

        var options = arguments.Where((_, i) => i > 0 && arguments[i - 1] == "-o").ToList();
        Assert.Contains("BatchMode=yes", options);
        Assert.Contains("StrictHostKeyChecking=yes", options);
        Assert.Contains("UserKnownHostsFile=\"/w/known_hosts\"", options);
        Assert.Contains("GlobalKnownHostsFile=/dev/null", options);
        Assert.Contains("IdentitiesOnly=yes", options);
        Assert.Contains("PasswordAuthentication=no", options);
        Assert.Equal(key.Path, arguments[arguments.IndexOf("-i") + 1]);
        Assert.Equal("2222", arguments[arguments.IndexOf("-P") + 1]);
        Assert.Equal("/w/batch", arguments[arguments.IndexOf("-b") + 1]);
        Assert.Equal("127.0.0.1", arguments[^1]);
    }

    [Theory]
    [InlineData(255, "Host key for [127.0.0.1]:2222 has changed and you have requested strict checking.|Host key verification failed.", false, "does not match the pinned key")]
    [InlineData(255, "No ED25519 host key is known for [127.0.0.1]:2222 and you have requested strict checking.|Host key verification failed.", false, "does not match the pinned key")]
    [InlineData(255, "partner@127.0.0.1: Permission denied (publickey).|Connection closed", false, "refused the login")]
    [InlineData(255, "ssh: connect to host 127.0.0.1 port 2222: Connection refused|Connection closed", true, "Connection refused")]
    [InlineData(255, "ssh: connect to host 10.9.9.9 port 22: Connection timed out|Connection closed", true, "timed out")]
    [InlineData(255, "Load key \"/keys/p\": invalid format|partner@h: Permission denied (publickey).", false, "private key could not be used")]
    [InlineData(1, "dest open \"/missing/r.pgp.part\": No such file or directory", false, "refused the upload")]
    [InlineData(1, "something unexpected", true, "something unexpected")]
    public void Sftp_failures_become_reasons_that_say_whether_a_retry_can_help(int exitCode, string stderr, bool transient, string says)
    {
        using var key = new TempKeyFile();
        var server = SftpDelivery.SftpServer.From(Target(key.Path, port: 2222));

        var error = SftpDelivery.Classify(server, exitCode, stderr.Split('|'));

        Assert.Equal(transient, error.Transient);
        Assert.Contains(says, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(key.Path, error.Message, StringComparison.Ordinal);
    }

    private static DeliveryTarget Target(string keyPath, string host = "127.0.0.1", int port = 22) =>
        new(DeliveryKind.Sftp, "/in", Host: host, Port: port, User: "partner", HostKey: Ed25519Key, PrivateKeyPath: keyPath);

    /// <summary>An SSH public key blob: the type as a length-prefixed string, then (here arbitrary) key bytes.</summary>
    private static string KeyBlob(string type)
    {
        var typeBytes = Encoding.ASCII.GetBytes(type);
        var blob = new byte[4 + typeBytes.Length + 36];
        BinaryPrimitives.WriteUInt32BigEndian(blob, (uint)typeBytes.Length);
        typeBytes.CopyTo(blob, 4);
        BinaryPrimitives.WriteUInt32BigEndian(blob.AsSpan(4 + typeBytes.Length), 32);
        return Convert.ToBase64String(blob);
    }

    private sealed class TempKeyFile : IDisposable
    {
        public TempKeyFile() => File.WriteAllText(Path, "not a real key; only its existence is checked");

        public string Path { get; } = System.IO.Path.GetTempFileName();

        public void Dispose() => File.Delete(Path);
    }
}
