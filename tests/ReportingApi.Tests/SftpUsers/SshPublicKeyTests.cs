using System.Buffers.Binary;
using System.Text;
using ReportingApi.SftpUsers;
using ReportingApi.TestSupport;

namespace ReportingApi.Tests.SftpUsers;

/// <summary>Keys made by ssh-keygen, once for the class: what partners would paste.</summary>
public sealed class GeneratedSshKeys : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("reportingapi-ssh-keys-").FullName;

    public Dictionary<string, SshKeyPair> Keys { get; } = [];

    public string Folder => _folder;

    public async Task InitializeAsync()
    {
        var specs = new (string Name, string Type, int Bits)[]
        {
            ("rsa-2048", "rsa", 2048), ("rsa-3072", "rsa", 3072), ("rsa-4096", "rsa", 4096),
            ("ecdsa-256", "ecdsa", 256), ("ecdsa-384", "ecdsa", 384), ("ecdsa-521", "ecdsa", 521),
            ("ed25519", "ed25519", 0), ("ed25519-other", "ed25519", 0), ("dsa", "dsa", 1024),
        };
        var made = await Task.WhenAll(specs.Select(spec => SshKeyPairs.CreateAsync(Path.Combine(_folder, spec.Name), spec.Type, spec.Bits)));
        foreach (var (spec, pair) in specs.Zip(made))
        {
            Keys[spec.Name] = pair;
        }
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }
}

public sealed class SshPublicKeyTests(GeneratedSshKeys generated) : IClassFixture<GeneratedSshKeys>
{
    [Theory]
    [InlineData("rsa-3072", SshPublicKey.Rsa, 3072)]
    [InlineData("rsa-4096", SshPublicKey.Rsa, 4096)]
    [InlineData("ecdsa-256", SshPublicKey.EcdsaNistP256, 256)]
    [InlineData("ecdsa-384", SshPublicKey.EcdsaNistP384, 384)]
    [InlineData("ecdsa-521", SshPublicKey.EcdsaNistP521, 521)]
    [InlineData("ed25519", SshPublicKey.Ed25519, 256)]
    public async Task Keys_made_by_ssh_keygen_are_accepted_with_the_size_and_fingerprint_ssh_keygen_gives(string name, string type, int bits)
    {
        var pair = generated.Keys[name];
        var described = await SshKeyPairs.DescribeAsync(pair.PublicKeyPath);

        Assert.True(SshPublicKey.TryParse(pair.PublicKeyLine, out var key, out var refusal), refusal?.Message);
        Assert.Equal(type, key.Type);
        Assert.Equal(bits, key.Bits);
        Assert.Equal(described.Bits, key.Bits);
        Assert.Equal(described.Fingerprint, key.Fingerprint);
        Assert.Equal("partner@reportingapi-test", key.Comment);
        Assert.Equal(pair.PublicKeyLine, key.Line);
    }

    [Fact]
    public async Task An_RSA_key_under_3072_bits_is_refused_with_its_size_and_fingerprint()
    {
        var pair = generated.Keys["rsa-2048"];

        Assert.False(SshPublicKey.TryParse(pair.PublicKeyLine, out _, out var refusal));
        Assert.Equal(SshKeyRefusalReason.RsaTooSmall, refusal.Reason);
        Assert.Contains("2048 bits", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("3072", refusal.Message, StringComparison.Ordinal);
        Assert.Equal((await SshKeyPairs.DescribeAsync(pair.PublicKeyPath)).Fingerprint, refusal.Fingerprint);
    }

    [Fact]
    public void A_DSA_key_from_ssh_keygen_is_refused_as_an_unsupported_type()
    {
        var line = generated.Keys["dsa"].PublicKeyLine;
        Assert.StartsWith("ssh-dss ", line, StringComparison.Ordinal);

        Assert.False(SshPublicKey.TryParse(line, out _, out var refusal));
        Assert.Equal(SshKeyRefusalReason.UnsupportedType, refusal.Reason);
        Assert.Contains("DSA", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_SSH_certificate_is_refused_as_an_unsupported_type()
    {
        var certificate = await SshKeyPairs.CertifyAsync(generated.Keys["ed25519-other"].PublicKeyPath, generated.Folder);
        Assert.StartsWith("ssh-ed25519-cert-v01@openssh.com ", certificate, StringComparison.Ordinal);

        Assert.False(SshPublicKey.TryParse(certificate, out _, out var refusal));
        Assert.Equal(SshKeyRefusalReason.UnsupportedType, refusal.Reason);
        Assert.Contains("certificate", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hardware_security_key_type_is_refused()
    {
        // ssh-keygen needs the token to make one; the type field decides, so the ed25519 key data stands in for it.
        var line = "sk-ssh-ed25519@openssh.com " + Base64Of("ed25519");

        Assert.False(SshPublicKey.TryParse(line, out _, out var refusal));
        Assert.Equal(SshKeyRefusalReason.UnsupportedType, refusal.Reason);
    }

    [Fact]
    public void Authorized_keys_options_before_the_key_are_refused()
    {
        var line = "from=\"10.0.0.0/8\",no-pty " + generated.Keys["ed25519"].PublicKeyLine;

        Assert.False(SshPublicKey.TryParse(line, out _, out var refusal));
        Assert.Equal(SshKeyRefusalReason.OptionsNotSupported, refusal.Reason);
    }

    [Theory]
    [InlineData("", SshKeyRefusalReason.Empty)]
    [InlineData("   \t ", SshKeyRefusalReason.Empty)]
    [InlineData("ssh-ed25519", SshKeyRefusalReason.Malformed)]
    [InlineData("ssh-ed25519 not*base64", SshKeyRefusalReason.Malformed)]
    [InlineData("SHA256:BqEGqWrmqt2RaxTuIuKEJ5g8LkticTiv5pc6e7lgD/Y", SshKeyRefusalReason.Malformed)]
    [InlineData("-----BEGIN OPENSSH PRIVATE KEY-----", SshKeyRefusalReason.Malformed)]
    [InlineData("ssh-foo AAAAB3NzaC1yc2E=", SshKeyRefusalReason.UnsupportedType)]
    public void Lines_that_are_not_keys_are_refused(string line, SshKeyRefusalReason reason)
    {
        Assert.False(SshPublicKey.TryParse(line, out _, out var refusal));
        Assert.Equal(reason, refusal.Reason);
        Assert.False(string.IsNullOrWhiteSpace(refusal.Message));
    }

    [Theory]
    [InlineData("ed25519")]
    [InlineData("ecdsa-256")]
    [InlineData("rsa-3072")]
    public void Key_data_cut_short_or_with_bytes_appended_is_malformed(string name)
    {
        var type = TypeOf(name);
        var blob = BlobOf(name);

        Assert.Equal(SshKeyRefusalReason.Malformed, RefusalOf($"{type} {Convert.ToBase64String(blob[..^1])}").Reason);
        Assert.Equal(SshKeyRefusalReason.Malformed, RefusalOf($"{type} {Convert.ToBase64String([.. blob, 0, 0, 0, 1, 7])}").Reason);
    }

    [Fact]
    public void A_line_whose_type_is_not_the_type_inside_the_key_data_is_refused()
    {
        var refusal = RefusalOf($"{SshPublicKey.Rsa} {Base64Of("ed25519")}");

        Assert.Equal(SshKeyRefusalReason.TypeMismatch, refusal.Reason);
        Assert.Contains("ssh-ed25519", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_ECDSA_key_whose_curve_is_not_the_one_its_type_names_is_refused()
    {
        // A nistp256 key relabelled nistp384, inside and out: only the curve field and the point size tell.
        var blob = BlobOf("ecdsa-256");
        Encoding.ASCII.GetBytes(SshPublicKey.EcdsaNistP384).CopyTo(blob, 4);

        var refusal = RefusalOf($"{SshPublicKey.EcdsaNistP384} {Convert.ToBase64String(blob)}");

        Assert.Equal(SshKeyRefusalReason.TypeMismatch, refusal.Reason);
        Assert.Contains("nistp256", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_ECDSA_point_that_is_not_on_the_curve_is_refused()
    {
        var blob = BlobOf("ecdsa-256");
        blob[^1] ^= 0x01;

        var refusal = RefusalOf($"{SshPublicKey.EcdsaNistP256} {Convert.ToBase64String(blob)}");

        Assert.Equal(SshKeyRefusalReason.Malformed, refusal.Reason);
        Assert.Contains("not a point on the nistp256 curve", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_line_longer_than_Transfer_Family_takes_is_refused()
    {
        var refusal = RefusalOf(generated.Keys["ed25519"].PublicKeyLine + new string('x', SshPublicKey.MaximumLineLength));

        Assert.Equal(SshKeyRefusalReason.TooLong, refusal.Reason);
    }

    [Fact]
    public void A_comment_with_control_characters_is_refused()
    {
        Assert.Equal(SshKeyRefusalReason.Malformed, RefusalOf(generated.Keys["ed25519"].PublicKeyLine + "\u001b[31m").Reason);
    }

    [Fact]
    public void A_key_without_comment_and_with_tabs_and_spaces_around_reads_the_same()
    {
        var original = generated.Keys["ed25519"].PublicKeyLine.Split(' ');

        Assert.True(SshPublicKey.TryParse($"  {original[0]}\t{original[1]}  ", out var key, out _));
        Assert.Null(key.Comment);
        Assert.Equal($"{original[0]} {original[1]}", key.Line);
    }

    [Fact]
    public void Damaged_key_lines_are_refused_and_never_throw()
    {
        var random = new Random(20261127);
        var accepted = new[] { "ed25519", "ecdsa-256", "ecdsa-521", "rsa-3072" };
        for (var round = 0; round < 3000; round++)
        {
            var name = accepted[round % accepted.Length];
            var blob = BlobOf(name);
            switch (round % 3)
            {
                case 0:
                    blob[random.Next(blob.Length)] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    blob = blob[..random.Next(blob.Length)];
                    break;
                default:
                    BinaryPrimitives.WriteUInt32BigEndian(blob.AsSpan(random.Next(Math.Max(1, blob.Length - 4))), (uint)random.Next());
                    break;
            }

            var line = $"{TypeOf(name)} {Convert.ToBase64String(blob)}";
            if (SshPublicKey.TryParse(line, out var key, out var refusal))
            {
                // A flipped bit in an RSA modulus or exponent can still be a well-formed key; it is then a different key.
                Assert.Equal(TypeOf(name), key.Type);
                Assert.NotEqual(SshPublicKey.FingerprintOf(BlobOf(name)), key.Fingerprint);
            }
            else
            {
                Assert.False(string.IsNullOrEmpty(refusal.Message));
            }
        }
    }

    [Fact]
    public void A_list_of_good_keys_is_valid_in_the_order_given()
    {
        var lines = new[] { "ed25519", "rsa-3072", "ecdsa-384" }.Select(name => generated.Keys[name].PublicKeyLine).ToList();

        var validation = SshKeyValidation.Of(lines);

        Assert.True(validation.IsValid);
        Assert.Equal(lines, validation.Keys.Select(key => key.Line));
    }

    [Fact]
    public void The_same_key_twice_is_refused_even_with_another_comment()
    {
        var line = generated.Keys["ed25519"].PublicKeyLine;
        var again = line[..line.LastIndexOf(' ')] + " laptop@elsewhere";

        var validation = SshKeyValidation.Of([line, generated.Keys["rsa-4096"].PublicKeyLine, again]);

        Assert.False(validation.IsValid);
        var refusal = Assert.Single(validation.Refusals);
        Assert.Equal((2, SshKeyRefusalReason.Duplicate), (refusal.Index, refusal.Reason));
        Assert.Contains("index 0", refusal.Message, StringComparison.Ordinal);
        Assert.Equal(2, validation.Keys.Count);
    }

    [Fact]
    public void More_keys_than_allowed_are_refused_from_the_first_one_too_many()
    {
        var lines = Enumerable.Range(0, SshKeyValidation.MaximumKeys + 2).Select(_ => "ssh-ed25519 " + Convert.ToBase64String(Ed25519Blob(Random.Shared.GetItems<byte>([.. Enumerable.Range(0, 256).Select(b => (byte)b)], 32)))).ToList();

        var validation = SshKeyValidation.Of(lines);

        Assert.Equal(SshKeyValidation.MaximumKeys, validation.Keys.Count);
        Assert.Equal([SshKeyValidation.MaximumKeys, SshKeyValidation.MaximumKeys + 1], validation.Refusals.Select(r => r.Index));
        Assert.All(validation.Refusals, refusal => Assert.Equal(SshKeyRefusalReason.TooMany, refusal.Reason));
    }

    [Fact]
    public void Every_bad_line_of_a_list_gets_its_own_reason_at_its_index()
    {
        var validation = SshKeyValidation.Of(
        [
            generated.Keys["ed25519"].PublicKeyLine,
            generated.Keys["dsa"].PublicKeyLine,
            generated.Keys["rsa-2048"].PublicKeyLine,
            "ssh-ed25519 AAAA",
            null,
        ]);

        Assert.Equal(
            [(1, SshKeyRefusalReason.UnsupportedType), (2, SshKeyRefusalReason.RsaTooSmall), (3, SshKeyRefusalReason.Malformed), (4, SshKeyRefusalReason.Empty)],
            validation.Refusals.Select(r => (r.Index, r.Reason)));
        Assert.Single(validation.Keys);
    }

    private static SshKeyRefusal RefusalOf(string line)
    {
        Assert.False(SshPublicKey.TryParse(line, out var key, out var refusal), $"accepted {key}");
        return refusal;
    }

    private string TypeOf(string name) => generated.Keys[name].PublicKeyLine.Split(' ')[0];

    private byte[] BlobOf(string name) => Convert.FromBase64String(Base64Of(name));

    private string Base64Of(string name) => generated.Keys[name].PublicKeyLine.Split(' ')[1];

    private static byte[] Ed25519Blob(byte[] point)
    {
        var type = Encoding.ASCII.GetBytes(SshPublicKey.Ed25519);
        var blob = new byte[4 + type.Length + 4 + point.Length];
        BinaryPrimitives.WriteUInt32BigEndian(blob, (uint)type.Length);
        type.CopyTo(blob, 4);
        BinaryPrimitives.WriteUInt32BigEndian(blob.AsSpan(4 + type.Length), (uint)point.Length);
        point.CopyTo(blob, 8 + type.Length);
        return blob;
    }
}
