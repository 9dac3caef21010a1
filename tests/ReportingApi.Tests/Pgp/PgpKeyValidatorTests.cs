using System.Text;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using ReportingApi.Pgp;
using ReportingApi.TestSupport;

namespace ReportingApi.Tests.Pgp;

public sealed class PgpKeyValidatorTests
{
    private readonly PgpKeyValidator _validator = new(TimeProvider.System);

    [Fact]
    public void A_generated_key_is_valid_and_files_go_to_its_encryption_subkey()
    {
        var result = _validator.Validate(TestPgpKeys.Partner.ArmoredPublicKey);

        Assert.True(result.IsValid, result.Rejection?.Message);
        Assert.Equal(TestPgpKeys.Partner.Fingerprint, result.Key.Fingerprint);
        Assert.Matches("^[0-9A-F]{40}$", result.Key.Fingerprint);
        Assert.Equal(TestPgpKeys.Partner.KeyId, result.Key.PrimaryKey.KeyId);
        Assert.NotEqual(result.Key.PrimaryKey.Fingerprint, result.Key.EncryptionKey.Fingerprint);
        Assert.Equal(result.Key.EncryptionKey.Fingerprint[^16..], result.Key.EncryptionKey.KeyId);
        Assert.Equal(new PgpKeyDetails(result.Key.EncryptionKey.Fingerprint, result.Key.EncryptionKey.KeyId, "RSA", PgpKeyGenerator.RsaBits, result.Key.PrimaryKey.CreatedAt, null), result.Key.EncryptionKey);
        Assert.Null(result.Key.ExpiresAt);
        Assert.Equal(["Partner Test <sftp@partner.test>"], result.Key.UserIds);
        Assert.StartsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----", result.Key.ArmoredPublicKey, StringComparison.Ordinal);
    }

    [Fact]
    public void Expiry_is_judged_at_the_time_of_validation()
    {
        var created = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        var clock = new FixedTimeProvider(created);
        var key = new PgpKeyGenerator(clock).Generate("Short Lived <short@partner.test>", "pw", TimeSpan.FromDays(30));
        var validator = new PgpKeyValidator(clock);

        clock.Now = created.AddDays(29);
        var stillValid = validator.Validate(key.ArmoredPublicKey);
        clock.Now = created.AddDays(30);
        var expired = validator.Validate(key.ArmoredPublicKey);

        Assert.True(stillValid.IsValid);
        Assert.Equal(created.AddDays(30), stillValid.Key.ExpiresAt);
        Assert.False(expired.IsValid);
        Assert.Equal(PgpKeyRejectionReason.Expired, expired.Rejection.Reason);
        Assert.Contains("2026-03-31", expired.Rejection.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ user@host")]
    [InlineData("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nbm90IGEga2V5\n=AAAA\n-----END PGP PUBLIC KEY BLOCK-----\n")]
    public void Text_that_is_not_a_public_key_is_unparseable(string text)
    {
        var result = _validator.Validate(text);

        Assert.False(result.IsValid);
        Assert.Equal(PgpKeyRejectionReason.Unparseable, result.Rejection.Reason);
    }

    [Fact]
    public void A_key_whose_armor_was_altered_in_transit_fails_the_armor_checksum()
    {
        // Line 3 of the armor is the second base64 line: bytes of the primary key's RSA modulus.
        var lines = TestPgpKeys.Partner.ArmoredPublicKey.Split('\n');
        lines[3] = (lines[3][0] == 'A' ? "B" : "A") + lines[3][1..];

        var result = _validator.Validate(string.Join('\n', lines));

        Assert.False(result.IsValid);
        Assert.Equal(PgpKeyRejectionReason.Unparseable, result.Rejection.Reason);
        Assert.Contains("checksum", result.Rejection.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_altered_before_it_was_armored_fails_its_self_signature()
    {
        var packets = Dearmor(TestPgpKeys.Partner.ArmoredPublicKey);
        // Inside the primary key's RSA modulus (the packet header, version, time, algorithm and MPI length come first).
        packets[40] ^= 0x01;

        var result = _validator.Validate(Armor(packets));

        Assert.False(result.IsValid);
        Assert.Equal(PgpKeyRejectionReason.InvalidSelfSignature, result.Rejection.Reason);
    }

    [Theory]
    [InlineData(PgpKeyKind.Rsa, 100)] // fewer: a damaged RSA exponent can make each signature check take many milliseconds
    [InlineData(PgpKeyKind.Ed25519, 1000)]
    public void Damaged_keys_are_refused_and_never_throw(PgpKeyKind kind, int keys)
    {
        // Bytes flipped anywhere in the packets, or the packets cut short, then armored again (so the armor checksum holds).
        var original = Dearmor(TestPgpKeys.PartnerOfKind(kind).ArmoredPublicKey);
        var random = new Random(20261127);
        var outcomes = new Dictionary<string, int>();
        for (var i = 0; i < keys; i++)
        {
            var packets = i % 5 == 0 ? original[..random.Next(1, original.Length)] : (byte[])original.Clone();
            for (var flips = random.Next(1, 4); flips > 0 && i % 5 != 0; flips--)
            {
                packets[random.Next(packets.Length)] ^= (byte)random.Next(1, 256);
            }

            var result = _validator.Validate(Armor(packets));

            var outcome = result.IsValid ? "valid" : result.Rejection.Reason.ToString();
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        // The damage reached both the packet structure and the signed content (some, in unsigned parts, changes nothing).
        Assert.True(outcomes.GetValueOrDefault(nameof(PgpKeyRejectionReason.InvalidSelfSignature)) > 0, string.Join(", ", outcomes));
        Assert.True(outcomes.GetValueOrDefault(nameof(PgpKeyRejectionReason.Unparseable)) > 0, string.Join(", ", outcomes));
    }

    [Fact]
    public void A_private_key_is_refused_without_echoing_it()
    {
        var result = _validator.Validate(TestPgpKeys.Partner.ArmoredSecretKey);

        Assert.False(result.IsValid);
        Assert.Equal(PgpKeyRejectionReason.SecretKey, result.Rejection.Reason);
        Assert.DoesNotContain(TestPgpKeys.Partner.ArmoredSecretKey.Split('\n')[3], result.Rejection.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_block_with_two_keys_is_refused()
    {
        var both = Armor(Dearmor(TestPgpKeys.Partner.ArmoredPublicKey).Concat(Dearmor(TestPgpKeys.Company.ArmoredPublicKey)).ToArray());

        var result = _validator.Validate(both);

        Assert.False(result.IsValid);
        Assert.Equal(PgpKeyRejectionReason.NotASingleKey, result.Rejection.Reason);
    }

    [Fact]
    public void A_generated_ed25519_key_is_valid_and_files_go_to_its_curve25519_subkey()
    {
        var key = TestPgpKeys.PartnerOfKind(PgpKeyKind.Ed25519);

        var result = _validator.Validate(key.ArmoredPublicKey);

        Assert.True(result.IsValid, result.Rejection?.Message);
        Assert.Equal(key.Fingerprint, result.Key.Fingerprint);
        Assert.Equal("EdDSA Ed25519", result.Key.PrimaryKey.Algorithm);
        Assert.Equal("ECDH Curve25519", result.Key.EncryptionKey.Algorithm);
        Assert.NotEqual(result.Key.PrimaryKey.Fingerprint, result.Key.EncryptionKey.Fingerprint);
    }

    [Fact]
    public void A_key_on_a_curve_we_do_not_use_is_unsupported_and_the_message_names_the_curve_and_what_we_accept()
    {
        // A v4 public key packet (tag 6) for ECDSA (19) on secp256k1 (OID 1.3.132.0.10), with an uncompressed point (its generator).
        byte[] oid = [0x2B, 0x81, 0x04, 0x00, 0x0A];
        var point = Convert.FromHexString("0479BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8");
        var material = new List<byte> { (byte)oid.Length };
        material.AddRange(oid);
        material.AddRange([0x02, 0x07]);
        material.AddRange(point);

        var result = _validator.Validate(Armor(KeyPacket(version: 4, algorithm: 19, [.. material])));

        Assert.False(result.IsValid);
        Assert.Equal(PgpKeyRejectionReason.UnsupportedAlgorithm, result.Rejection.Reason);
        Assert.Contains("ECDSA secp256k1", result.Rejection.Message, StringComparison.Ordinal);
        Assert.Contains(PgpKeyValidator.AcceptedKinds, result.Rejection.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_version_6_key_is_unsupported()
    {
        // A v6 public key packet for Ed25519 (27, RFC 9580): 32 bytes of key, after the four-byte key material length.
        var material = new List<byte> { 0, 0, 0, 32 };
        material.AddRange(Enumerable.Repeat((byte)0x42, 32));

        var result = _validator.Validate(Armor(KeyPacket(version: 6, algorithm: 27, [.. material])));

        Assert.False(result.IsValid);
        Assert.Equal(PgpKeyRejectionReason.UnsupportedAlgorithm, result.Rejection.Reason);
        Assert.Contains("version 6", result.Rejection.Message, StringComparison.Ordinal);
    }

    /// <summary>A public key packet (new format, tag 6) of 2026-01-01 with the given key material.</summary>
    private static byte[] KeyPacket(byte version, byte algorithm, byte[] material)
    {
        var body = new List<byte> { version, 0x69, 0x55, 0xB9, 0x80, algorithm };
        body.AddRange(material);
        return [0xC6, (byte)body.Count, .. body];
    }

    private static byte[] Dearmor(string armored)
    {
        using var input = new ArmoredInputStream(new MemoryStream(Encoding.ASCII.GetBytes(armored)));
        using var bytes = new MemoryStream();
        input.CopyTo(bytes);
        return bytes.ToArray();
    }

    private static string Armor(byte[] packets)
    {
        using var text = new MemoryStream();
        using (var armor = new ArmoredOutputStream(text))
        {
            armor.Write(packets, 0, packets.Length);
        }

        var armored = Encoding.ASCII.GetString(text.ToArray());
        // BouncyCastle picks the block type from the first packet; a hand-made key packet must still read as a public key block.
        return armored.Contains("PUBLIC KEY BLOCK", StringComparison.Ordinal) ? armored : armored.Replace("PGP MESSAGE", "PGP PUBLIC KEY BLOCK", StringComparison.Ordinal);
    }

    [Fact]
    public void The_rsa_primary_key_counts_as_an_encryption_key_for_bouncycastle_but_not_by_its_key_flags()
    {
        var ring = new PgpPublicKeyRing(Dearmor(TestPgpKeys.Partner.ArmoredPublicKey));
        var primary = ring.GetPublicKey();

        var chosen = _validator.Validate(TestPgpKeys.Partner.ArmoredPublicKey).Key!.EncryptionKey;

        Assert.True(primary.IsEncryptionKey);
        Assert.NotEqual(OpenPgpKeys.Fingerprint(primary), chosen.Fingerprint);
    }
}
