using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using ReportingApi.Pgp;
using ReportingApi.TestSupport;

namespace ReportingApi.Tests.Pgp;

public sealed class PgpEncryptionTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task What_we_encrypt_decrypts_to_the_same_bytes_with_a_valid_company_signature(bool armor)
    {
        var plaintext = ReportLikeBytes(3 * 1024 * 1024);
        var encrypted = new MemoryStream();
        await TestPgpKeys.Encryptor().EncryptAsync(new MemoryStream(plaintext), encrypted, TestPgpKeys.PartnerPublic, "bikes_2026-02.xlsx", armor);

        var decrypted = new MemoryStream();
        encrypted.Position = 0;
        var result = await PgpDecryptor.DecryptAsync(encrypted, decrypted, TestPgpKeys.UnlockedPartner, [TestPgpKeys.UnlockedCompany.PublicKeyRing]);

        Assert.Equal(armor, Encoding.ASCII.GetString(encrypted.GetBuffer(), 0, 27) == "-----BEGIN PGP MESSAGE-----");
        Assert.Equal(PgpSignatureStatus.Valid, result.Signature);
        Assert.Equal(TestPgpKeys.Company.Fingerprint, result.SignerFingerprint);
        Assert.Equal(TestPgpKeys.UnlockedCompany.SigningKeyId, result.SignerKeyId);
        Assert.Equal("bikes_2026-02.xlsx", result.FileName);
        Assert.Equal(plaintext.Length, result.PlaintextBytes);
        Assert.True(plaintext.AsSpan().SequenceEqual(decrypted.ToArray()));
        // Compressed: these rows shrink to under half (base64 armor adds a third).
        Assert.InRange(encrypted.Length, 1, armor ? plaintext.Length * 3 / 4 : plaintext.Length / 2);
    }

    [Theory]
    [InlineData(PgpKeyKind.Rsa, PgpKeyKind.Ed25519)]
    [InlineData(PgpKeyKind.Ed25519, PgpKeyKind.Rsa)]
    [InlineData(PgpKeyKind.Ed25519, PgpKeyKind.Ed25519)]
    public async Task Every_kind_of_company_key_signs_files_for_every_kind_of_partner_key(PgpKeyKind companyKind, PgpKeyKind partnerKind)
    {
        var plaintext = ReportLikeBytes(1024 * 1024);
        var partner = TestPgpKeys.PartnerOfKind(partnerKind);
        var encrypted = new MemoryStream();
        await TestPgpKeys.Encryptor(companyKind: companyKind).EncryptAsync(new MemoryStream(plaintext), encrypted, TestPgpKeys.Validated(partner.ArmoredPublicKey), "contracts.csv");

        var decrypted = new MemoryStream();
        encrypted.Position = 0;
        var partnerSecret = UnlockedPgpKey.Unlock(partner.ArmoredSecretKey, TestPgpKeys.PartnerPassphrase, DateTimeOffset.UtcNow);
        var company = TestPgpKeys.UnlockedCompanyOfKind(companyKind);
        var result = await PgpDecryptor.DecryptAsync(encrypted, decrypted, partnerSecret, [company.PublicKeyRing]);

        Assert.Equal(PgpSignatureStatus.Valid, result.Signature);
        Assert.Equal(company.Fingerprint, result.SignerFingerprint);
        Assert.True(plaintext.AsSpan().SequenceEqual(decrypted.ToArray()));
    }

    [Fact]
    public async Task Options_choose_armor_unless_the_caller_does()
    {
        var armoredByDefault = TestPgpKeys.Encryptor(armorByDefault: true);
        var byDefault = new MemoryStream();
        var overridden = new MemoryStream();

        await armoredByDefault.EncryptAsync(new MemoryStream([1, 2, 3]), byDefault, TestPgpKeys.PartnerPublic, "a.csv");
        await armoredByDefault.EncryptAsync(new MemoryStream([1, 2, 3]), overridden, TestPgpKeys.PartnerPublic, "a.csv", armor: false);

        Assert.StartsWith("-----BEGIN PGP MESSAGE-----", Encoding.ASCII.GetString(byDefault.ToArray()), StringComparison.Ordinal);
        Assert.NotEqual((byte)'-', overridden.ToArray()[0]);
    }

    [Fact]
    public async Task The_encrypting_stream_streams_its_output_in_bounded_writes_and_leaves_the_output_open()
    {
        var output = new RecordingStream();
        var chunk = ReportLikeBytes(1024 * 1024);
        var random = new byte[1024 * 1024];
        RandomNumberGenerator.Fill(random);

        var encrypting = TestPgpKeys.Encryptor().OpenEncryptingStream(output, TestPgpKeys.PartnerPublic, "large.csv");
        await using (encrypting)
        {
            for (var i = 0; i < 24; i++)
            {
                await encrypting.WriteAsync(i % 3 == 0 ? random : chunk);
            }

            // Most of the 24 MiB went out before the end; nothing waits for dispose.
            Assert.True(output.Length > 5 * 1024 * 1024, $"Only {output.Length} bytes were written before dispose.");
        }

        Assert.Equal(24L * 1024 * 1024, encrypting.PlaintextBytes);
        Assert.InRange(output.LargestWrite, 1, 512 * 1024);
        Assert.True(output.CanWrite);
        Assert.Equal(0, output.SyncWrites);
        Assert.Throws<ObjectDisposedException>(() => encrypting.Write([1]));
    }

    [Fact]
    public async Task A_file_encrypted_to_another_key_names_the_keys_it_was_encrypted_to()
    {
        var encrypted = new MemoryStream();
        await TestPgpKeys.Encryptor().EncryptAsync(new MemoryStream([1, 2, 3]), encrypted, TestPgpKeys.PartnerPublic, "a.csv");
        encrypted.Position = 0;

        var failure = await Assert.ThrowsAsync<PgpDecryptionException>(() => PgpDecryptor.DecryptAsync(encrypted, Stream.Null, TestPgpKeys.UnlockedCompany, []));

        Assert.Equal(PgpDecryptionFailure.NoMatchingKey, failure.Failure);
        Assert.Contains(TestPgpKeys.PartnerPublic.EncryptionKey.KeyId, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_the_signers_key_the_signature_is_from_an_unknown_signer()
    {
        var encrypted = new MemoryStream();
        await TestPgpKeys.Encryptor().EncryptAsync(new MemoryStream([1, 2, 3]), encrypted, TestPgpKeys.PartnerPublic, "a.csv");
        encrypted.Position = 0;

        var result = await PgpDecryptor.DecryptAsync(encrypted, Stream.Null, TestPgpKeys.UnlockedPartner, [TestPgpKeys.PartnerPublic.PublicKeyRing]);

        Assert.Equal(PgpSignatureStatus.UnknownSigner, result.Signature);
        Assert.Equal(TestPgpKeys.UnlockedCompany.SigningKeyId, result.SignerKeyId);
    }

    [Theory]
    [InlineData(PgpKeyKind.Rsa, 30)] // fewer: each try is an RSA-3072 private key operation
    [InlineData(PgpKeyKind.Ed25519, 300)]
    public async Task A_damaged_file_fails_with_a_decryption_error_and_never_decrypts_to_other_content(PgpKeyKind kind, int files)
    {
        var partner = TestPgpKeys.PartnerOfKind(kind);
        var secret = UnlockedPgpKey.Unlock(partner.ArmoredSecretKey, TestPgpKeys.PartnerPassphrase, DateTimeOffset.UtcNow);
        var plaintext = ReportLikeBytes(4096);
        var original = new MemoryStream();
        await TestPgpKeys.Encryptor(companyKind: kind).EncryptAsync(new MemoryStream(plaintext), original, TestPgpKeys.Validated(partner.ArmoredPublicKey), "a.csv");
        var random = new Random(20261127);
        var failures = 0;

        for (var i = 0; i < files; i++)
        {
            var damaged = original.ToArray();
            // Most flips land in the session key packet and the first blocks, where parsing is most exposed.
            var position = i % 2 == 0 ? random.Next(Math.Min(600, damaged.Length)) : random.Next(damaged.Length);
            damaged[position] ^= (byte)random.Next(1, 256);
            var decrypted = new MemoryStream();

            var failure = await Record.ExceptionAsync(() => PgpDecryptor.DecryptAsync(new MemoryStream(damaged), decrypted, secret, [TestPgpKeys.UnlockedCompanyOfKind(kind).PublicKeyRing]));

            // Some bytes change nothing that counts (e.g. an MPI's bit count that still gives the same number of bytes).
            if (failure is null)
            {
                Assert.True(plaintext.AsSpan().SequenceEqual(decrypted.ToArray()), $"Byte {position} flipped: other content decrypted without an error.");
                continue;
            }

            Assert.True(failure is PgpDecryptionException, $"Byte {position} flipped: {failure}");
            failures++;
        }

        Assert.InRange(failures, files * 8 / 10, files);
    }

    [Theory]
    [InlineData(0.6)]
    [InlineData(-3)]
    public async Task A_tampered_file_fails_with_an_integrity_error(double where)
    {
        var encrypted = new MemoryStream();
        await TestPgpKeys.Encryptor().EncryptAsync(new MemoryStream(ReportLikeBytes(512 * 1024)), encrypted, TestPgpKeys.PartnerPublic, "a.csv");
        var bytes = encrypted.ToArray();
        bytes[where > 0 ? (int)(bytes.Length * where) : bytes.Length + (int)where] ^= 0x01;

        var failure = await Assert.ThrowsAsync<PgpDecryptionException>(() =>
            PgpDecryptor.DecryptAsync(new MemoryStream(bytes), Stream.Null, TestPgpKeys.UnlockedPartner, [TestPgpKeys.UnlockedCompany.PublicKeyRing]));

        Assert.Equal(PgpDecryptionFailure.IntegrityCheckFailed, failure.Failure);
    }

    [Fact]
    public async Task Input_that_is_not_an_encrypted_message_is_refused()
    {
        var failure = await Assert.ThrowsAsync<PgpDecryptionException>(() =>
            PgpDecryptor.DecryptAsync(new MemoryStream(Encoding.ASCII.GetBytes(TestPgpKeys.Company.ArmoredPublicKey)), Stream.Null, TestPgpKeys.UnlockedPartner, []));

        Assert.Equal(PgpDecryptionFailure.NotEncrypted, failure.Failure);
    }

    [Fact]
    public async Task An_abandoned_stream_writes_no_signature_so_the_file_cannot_pass_as_complete()
    {
        var output = new MemoryStream();
        var encrypting = TestPgpKeys.Encryptor().OpenEncryptingStream(output, TestPgpKeys.PartnerPublic, "partial.csv");
        await using (encrypting)
        {
            await encrypting.WriteAsync(ReportLikeBytes(300 * 1024));
            encrypting.Abandon();
        }

        output.Position = 0;
        await Assert.ThrowsAsync<PgpDecryptionException>(() =>
            PgpDecryptor.DecryptAsync(output, Stream.Null, TestPgpKeys.UnlockedPartner, [TestPgpKeys.UnlockedCompany.PublicKeyRing]));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    [InlineData(0.99)]
    public async Task A_read_of_the_message_that_fails_is_an_io_error_not_a_damaged_message(double where)
    {
        var encrypted = new MemoryStream();
        await TestPgpKeys.Encryptor().EncryptAsync(new MemoryStream(ReportLikeBytes(512 * 1024)), encrypted, TestPgpKeys.PartnerPublic, "a.csv");
        var input = new FailingStream(new MemoryStream(encrypted.ToArray()), (long)(encrypted.Length * where));

        var failure = await Assert.ThrowsAsync<IOException>(() =>
            PgpDecryptor.DecryptAsync(input, Stream.Null, TestPgpKeys.UnlockedPartner, [TestPgpKeys.UnlockedCompany.PublicKeyRing]));

        Assert.Same(input.Thrown, failure.InnerException);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(200 * 1024)]
    public async Task A_write_of_the_clear_text_that_fails_is_an_io_error_not_a_damaged_message(int failAfterBytes)
    {
        var encrypted = new MemoryStream();
        await TestPgpKeys.Encryptor().EncryptAsync(new MemoryStream(ReportLikeBytes(512 * 1024)), encrypted, TestPgpKeys.PartnerPublic, "a.csv");
        encrypted.Position = 0;
        var output = new FailingStream(new MemoryStream(), failAfterBytes);

        var failure = await Assert.ThrowsAsync<IOException>(() =>
            PgpDecryptor.DecryptAsync(encrypted, output, TestPgpKeys.UnlockedPartner, [TestPgpKeys.UnlockedCompany.PublicKeyRing]));

        Assert.Same(output.Thrown, failure.InnerException);
    }

    [Theory]
    [InlineData("../etc/passwd")]
    [InlineData("reports\\x.csv")]
    [InlineData(" ")]
    public void A_file_name_with_a_path_is_refused(string fileName)
    {
        Assert.ThrowsAny<ArgumentException>(() => TestPgpKeys.Encryptor().OpenEncryptingStream(new MemoryStream(), TestPgpKeys.PartnerPublic, fileName));
    }

    [Fact]
    public async Task Optimal_compression_writes_a_smaller_file_that_decrypts_the_same()
    {
        var plaintext = ReportLikeBytes(1024 * 1024);
        var fastest = new MemoryStream();
        var optimal = new MemoryStream();
        await TestPgpKeys.Encryptor().EncryptAsync(new MemoryStream(plaintext), fastest, TestPgpKeys.PartnerPublic, "a.csv");
        await new PgpEncryptor(TestPgpKeys.UnlockedCompany, false, CompressionLevel.Optimal, TimeProvider.System)
            .EncryptAsync(new MemoryStream(plaintext), optimal, TestPgpKeys.PartnerPublic, "a.csv");

        var decrypted = new MemoryStream();
        optimal.Position = 0;
        await PgpDecryptor.DecryptAsync(optimal, decrypted, TestPgpKeys.UnlockedPartner, [TestPgpKeys.UnlockedCompany.PublicKeyRing]);

        Assert.True(optimal.Length < fastest.Length, $"optimal {optimal.Length} >= fastest {fastest.Length}");
        Assert.True(plaintext.AsSpan().SequenceEqual(decrypted.ToArray()));
    }

    private static byte[] ReportLikeBytes(int size)
    {
        var random = new Random(size);
        var text = new StringBuilder("contract_id,employee,rate\n");
        for (var i = 0; text.Length < size; i++)
        {
            text.Append(i).Append(",Employee ").Append(random.Next(5000)).Append(',').Append(random.Next(1000, 9999)).Append('\n');
        }

        return Encoding.UTF8.GetBytes(text.ToString(0, size));
    }

    /// <summary>A stream that reads or writes through to another until <c>failAfterBytes</c> have passed, then fails as a dropped connection or a full disk would.</summary>
    private sealed class FailingStream(Stream inner, long failAfterBytes) : Stream
    {
        private long _passed;

        public Exception? Thrown { get; private set; }

        public override bool CanRead => inner.CanRead;

        public override bool CanSeek => false;

        public override bool CanWrite => inner.CanWrite;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count)
        {
            Pass(count);
            return inner.Read(buffer, offset, count);
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            Pass(count);
            inner.Write(buffer, offset, count);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Pass(buffer.Length);
            return inner.WriteAsync(buffer, cancellationToken);
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        private void Pass(int count)
        {
            if (_passed + count > failAfterBytes)
            {
                Thrown ??= new IOException("Connection reset by peer");
                throw Thrown;
            }

            _passed += count;
        }
    }

    /// <summary>An output that counts bytes, remembers the largest single write and whether anything wrote synchronously.</summary>
    private sealed class RecordingStream : Stream
    {
        private long _length;

        public int LargestWrite { get; private set; }

        public int SyncWrites { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _length;

        public override long Position { get => _length; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            SyncWrites++;
            Record(count);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Record(buffer.Length);
            return ValueTask.CompletedTask;
        }

        private void Record(int count)
        {
            _length += count;
            LargestWrite = Math.Max(LargestWrite, count);
        }
    }
}
