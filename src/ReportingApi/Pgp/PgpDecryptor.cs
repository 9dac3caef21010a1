using System.IO.Compression;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace ReportingApi.Pgp;

/// <summary>What a decrypted message's signature says.</summary>
public enum PgpSignatureStatus
{
    /// <summary>The message carries no signature.</summary>
    Unsigned,

    /// <summary>Signed by a key that is not among the verification keys given.</summary>
    UnknownSigner,

    /// <summary>Signed by one of the verification keys, and the signature matches the content.</summary>
    Valid,

    /// <summary>Signed by one of the verification keys, but the signature does not match the content.</summary>
    Invalid,
}

/// <param name="FileName">The name in the literal data packet.</param>
/// <param name="PlaintextBytes">Bytes written to the output.</param>
/// <param name="SignerKeyId">Key id (16 hex digits) that made the signature, known or not; null when unsigned.</param>
/// <param name="SignerFingerprint">Primary key fingerprint of the verification key that matched; null when none did.</param>
public sealed record PgpDecryptionResult(
    string FileName,
    DateTimeOffset ModificationTime,
    long PlaintextBytes,
    PgpSignatureStatus Signature,
    string? SignerKeyId,
    string? SignerFingerprint)
{
    public bool SignatureValid => Signature == PgpSignatureStatus.Valid;
}

/// <summary>Why a message could not be decrypted.</summary>
public enum PgpDecryptionFailure
{
    /// <summary>Not an OpenPGP public-key encrypted message.</summary>
    NotEncrypted,

    /// <summary>Encrypted, but not to any of our keys.</summary>
    NoMatchingKey,

    /// <summary>Encrypted without integrity protection (no MDC); refused, since it could have been altered unnoticed.</summary>
    NotIntegrityProtected,

    /// <summary>The content was altered or damaged after encryption (integrity check failed).</summary>
    IntegrityCheckFailed,

    /// <summary>Decrypted intact, but the packets inside are not a literal message we understand.</summary>
    Malformed,
}

/// <summary>Decryption failed. Whatever was already written to the output must be discarded.</summary>
public sealed class PgpDecryptionException(PgpDecryptionFailure failure, string message, Exception? inner = null) : Exception(message, inner)
{
    public PgpDecryptionFailure Failure { get; } = failure;
}

/// <summary>
/// Decrypts OpenPGP messages and verifies their signatures, streamed: files partners send us (encrypted to the
/// company key) and, in tests, our own output. The input is read synchronously (BouncyCastle's parser is), so give
/// it a file or object-store stream rather than a request body; the output is written asynchronously.
/// </summary>
public sealed class PgpDecryptor(CompanySigningKey companyKey)
{
    /// <summary>Decrypts a message sent to the company key.</summary>
    /// <param name="verificationKeys">Keys whose signatures are recognized, e.g. the sending partner's <see cref="PartnerPgpKey.PublicKeyRing"/>.</param>
    /// <exception cref="PgpDecryptionException">The message cannot be decrypted, or its integrity check failed; discard the output.</exception>
    public Task<PgpDecryptionResult> DecryptAsync(Stream encrypted, Stream output, IEnumerable<PgpPublicKeyRing> verificationKeys, CancellationToken cancellationToken = default) =>
        DecryptAsync(encrypted, output, companyKey.Key, verificationKeys, cancellationToken);

    /// <summary>Decrypts a message (binary or ASCII-armored) with <paramref name="decryptionKey"/>, writing the plaintext to <paramref name="output"/> (left open).</summary>
    /// <exception cref="PgpDecryptionException">The message cannot be decrypted, or its integrity check failed; discard the output.</exception>
    /// <exception cref="IOException">Reading <paramref name="encrypted"/> or writing <paramref name="output"/> failed (the inner exception says why): not the message's fault.</exception>
    public static async Task<PgpDecryptionResult> DecryptAsync(Stream encrypted, Stream output, UnlockedPgpKey decryptionKey, IEnumerable<PgpPublicKeyRing> verificationKeys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(encrypted);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(decryptionKey);
        ArgumentNullException.ThrowIfNull(verificationKeys);
        await using var input = new FailureRecordingStream(encrypted);
        await using var clearOutput = new FailureRecordingStream(output);
        try
        {
            return await DecryptCheckedAsync(input, clearOutput, decryptionKey, verificationKeys.ToList(), cancellationToken);
        }
        catch (PgpDecryptionException) when ((input.Failure ?? clearOutput.Failure) is { } streamFailure)
        {
            // BouncyCastle cannot tell a stream that failed from a damaged message (both are I/O errors to it): a partner's
            // file is not refused for our store's or network's failure.
            throw new IOException("Reading the encrypted message or writing its clear text failed.", streamFailure);
        }
    }

    private static async Task<PgpDecryptionResult> DecryptCheckedAsync(Stream encrypted, Stream output, UnlockedPgpKey decryptionKey, List<PgpPublicKeyRing> verifiers, CancellationToken cancellationToken)
    {
        var (encryptedData, privateKey) = FindEncryptedData(encrypted, decryptionKey);
        if (!encryptedData.IsIntegrityProtected())
        {
            throw new PgpDecryptionException(PgpDecryptionFailure.NotIntegrityProtected, "The message has no integrity protection (MDC); it is refused because changes to it would go unnoticed.");
        }

        Stream clear;
        try
        {
            clear = encryptedData.GetDataStream(privateKey);
        }
        catch (Exception exception) when (OpenPgpKeys.IsMalformedPacket(exception))
        {
            throw new PgpDecryptionException(PgpDecryptionFailure.IntegrityCheckFailed, "The message's session key or first block does not decrypt: it was damaged or altered.", exception);
        }

        PgpDecryptionResult result;
        try
        {
            result = await ReadMessageAsync(clear, output, verifiers, cancellationToken);
        }
        catch (Exception exception) when (IsDamagedContent(exception))
        {
            // Garbled content usually breaks decompression before the MDC at the end is reached: check the MDC to tell
            // an altered message from one that is intact but odd.
            if (!IntegrityHolds(encryptedData))
            {
                throw new PgpDecryptionException(PgpDecryptionFailure.IntegrityCheckFailed, "The message's integrity check failed: it was altered or damaged after encryption.", exception);
            }

            throw new PgpDecryptionException(PgpDecryptionFailure.Malformed, "The decrypted message is not a literal data message.", exception);
        }

        if (!IntegrityHolds(encryptedData))
        {
            throw new PgpDecryptionException(PgpDecryptionFailure.IntegrityCheckFailed, "The message's integrity check failed: it was altered or damaged after encryption.");
        }

        return result;
    }

    private static (PgpPublicKeyEncryptedData Data, PgpPrivateKey Key) FindEncryptedData(Stream encrypted, UnlockedPgpKey decryptionKey)
    {
        PgpEncryptedDataList? list;
        try
        {
            var factory = new PgpObjectFactory(DecoderStream(encrypted));
            var first = factory.NextPgpObject();
            list = (first is PgpMarker ? factory.NextPgpObject() : first) as PgpEncryptedDataList;
        }
        catch (Exception exception) when (OpenPgpKeys.IsMalformedPacket(exception))
        {
            throw new PgpDecryptionException(PgpDecryptionFailure.NotEncrypted, "The input is not an OpenPGP message.", exception);
        }

        if (list is null)
        {
            throw new PgpDecryptionException(PgpDecryptionFailure.NotEncrypted, "The input is not an OpenPGP encrypted message.");
        }

        var recipients = list.GetEncryptedDataObjects().OfType<PgpPublicKeyEncryptedData>().ToList();
        foreach (var data in recipients)
        {
            if (decryptionKey.FindPrivateKey(data.KeyId) is { } privateKey)
            {
                return (data, privateKey);
            }
        }

        var keyIds = recipients.Count == 0 ? "no public key" : string.Join(", ", recipients.Select(data => OpenPgpKeys.KeyIdHex(data.KeyId)));
        throw new PgpDecryptionException(PgpDecryptionFailure.NoMatchingKey, $"The message is encrypted to {keyIds}, not to key {decryptionKey.KeyId}.");
    }

    /// <summary>
    /// The binary packets of <paramref name="encrypted"/>, de-armored when it is ASCII-armored. BouncyCastle's
    /// <see cref="PgpUtilities.GetDecoderStream"/> needs a seekable stream to look at the first byte; an object store's
    /// (S3's) stream is not, so there the first byte is pushed back instead: a binary packet's tag byte has its high bit
    /// set, armor starts with text.
    /// </summary>
    private static Stream DecoderStream(Stream encrypted)
    {
        if (encrypted.CanSeek)
        {
            return PgpUtilities.GetDecoderStream(encrypted);
        }

        var pushback = new Org.BouncyCastle.Utilities.IO.PushbackStream(encrypted);
        var first = pushback.ReadByte();
        if (first < 0)
        {
            throw new PgpDecryptionException(PgpDecryptionFailure.NotEncrypted, "The input is empty.");
        }

        pushback.Unread(first);
        return (first & 0x80) != 0 ? pushback : new ArmoredInputStream(pushback);
    }

    private static async Task<PgpDecryptionResult> ReadMessageAsync(Stream clear, Stream output, List<PgpPublicKeyRing> verifiers, CancellationToken cancellationToken)
    {
        var factory = new PgpObjectFactory(clear);
        var next = factory.NextPgpObject();
        if (next is PgpCompressedData compressed)
        {
            factory = new PgpObjectFactory(Decompress(compressed));
            next = factory.NextPgpObject();
        }

        var signature = SignatureCheck.Start(next, verifiers);
        if (signature is not null)
        {
            next = factory.NextPgpObject();
        }

        if (next is not PgpLiteralData literal)
        {
            throw new PgpException("Expected literal data.");
        }

        var buffer = new byte[PgpEncryptor.BufferSize];
        var content = literal.GetInputStream();
        long total = 0;
        int read;
        while ((read = content.Read(buffer, 0, buffer.Length)) > 0)
        {
            signature?.Update(buffer, read);
            await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            total += read;
        }

        await output.FlushAsync(cancellationToken);
        var status = signature?.Finish(factory) ?? PgpSignatureStatus.Unsigned;
        return new PgpDecryptionResult(
            literal.FileName,
            new DateTimeOffset(DateTime.SpecifyKind(literal.ModificationTime, DateTimeKind.Utc)),
            total,
            status,
            signature is null ? null : OpenPgpKeys.KeyIdHex(signature.KeyId),
            signature?.SignerFingerprint);
    }

    /// <summary>Decompression by .NET's native zlib where it can (ZIP and ZLIB), BouncyCastle's otherwise (BZip2).</summary>
    private static Stream Decompress(PgpCompressedData compressed) => compressed.Algorithm switch
    {
        CompressionAlgorithmTag.ZLib => new ZLibStream(compressed.GetInputStream(), CompressionMode.Decompress),
        CompressionAlgorithmTag.Zip => new DeflateStream(compressed.GetInputStream(), CompressionMode.Decompress),
        _ => compressed.GetDataStream(),
    };

    /// <summary>Reads what is left of the decrypted data and compares it with its MDC.</summary>
    private static bool IntegrityHolds(PgpPublicKeyEncryptedData encryptedData)
    {
        try
        {
            return encryptedData.Verify();
        }
        catch (Exception exception) when (OpenPgpKeys.IsMalformedPacket(exception))
        {
            return false;
        }
    }

    /// <summary>Garbled packets (e.g. a signature packet that decrypted to noise), or a zlib stream .NET cannot inflate.</summary>
    private static bool IsDamagedContent(Exception exception) =>
        OpenPgpKeys.IsMalformedPacket(exception) || exception is InvalidDataException;

    /// <summary>
    /// Passes reads and writes through to a stream it leaves open, remembering the first exception the stream threw,
    /// so that a failure of the input or output can be told from a damaged message.
    /// </summary>
    private sealed class FailureRecordingStream(Stream inner) : Stream
    {
        public Exception? Failure { get; private set; }

        public override bool CanRead => inner.CanRead;

        public override bool CanSeek => inner.CanSeek;

        public override bool CanWrite => inner.CanWrite;

        public override long Length => Recorded(() => inner.Length);

        public override long Position { get => Recorded(() => inner.Position); set => Recorded(() => inner.Position = value); }

        public override int Read(byte[] buffer, int offset, int count) => Recorded(() => inner.Read(buffer, offset, count));

        public override int Read(Span<byte> buffer)
        {
            try
            {
                return inner.Read(buffer);
            }
            catch (Exception e)
            {
                Failure ??= e;
                throw;
            }
        }

        public override int ReadByte() => Recorded(inner.ReadByte);

        public override long Seek(long offset, SeekOrigin origin) => Recorded(() => inner.Seek(offset, origin));

        public override void Write(byte[] buffer, int offset, int count) => Recorded(() => inner.Write(buffer, offset, count));

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                await inner.WriteAsync(buffer, cancellationToken);
            }
            catch (Exception e)
            {
                Failure ??= e;
                throw;
            }
        }

        public override void Flush() => Recorded(inner.Flush);

        public override async Task FlushAsync(CancellationToken cancellationToken)
        {
            try
            {
                await inner.FlushAsync(cancellationToken);
            }
            catch (Exception e)
            {
                Failure ??= e;
                throw;
            }
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        private T Recorded<T>(Func<T> call)
        {
            try
            {
                return call();
            }
            catch (Exception e)
            {
                Failure ??= e;
                throw;
            }
        }

        private void Recorded(Action call) => Recorded(() =>
        {
            call();
            return 0;
        });
    }

    /// <summary>A signature being checked while the literal data streams past: one-pass (signature after the data) or prefixed (before it).</summary>
    private sealed class SignatureCheck
    {
        private readonly PgpOnePassSignature? _onePass;
        private readonly PgpSignature? _prefixed;
        private readonly bool _signerKnown;

        private SignatureCheck(long keyId, PgpOnePassSignature? onePass, PgpSignature? prefixed, PgpPublicKeyRing? signerRing, PgpPublicKey? signerKey)
        {
            KeyId = keyId;
            _onePass = onePass;
            _prefixed = prefixed;
            _signerKnown = signerKey is not null;
            SignerFingerprint = signerRing is null ? null : OpenPgpKeys.Fingerprint(signerRing.GetPublicKey());
            if (signerKey is not null)
            {
                onePass?.InitVerify(signerKey);
                prefixed?.InitVerify(signerKey);
            }
        }

        public long KeyId { get; }

        public string? SignerFingerprint { get; }

        /// <summary>A check for the signature packet <paramref name="packet"/>, or null when it is not one.</summary>
        public static SignatureCheck? Start(PgpObject packet, List<PgpPublicKeyRing> verifiers)
        {
            switch (packet)
            {
                case PgpOnePassSignatureList { Count: > 0 } onePassList:
                {
                    var onePass = Choose(Enumerable.Range(0, onePassList.Count).Select(i => onePassList[i]), ops => ops.KeyId, verifiers, out var ring, out var key);
                    return new SignatureCheck(onePass.KeyId, onePass, null, ring, key);
                }

                case PgpSignatureList { Count: > 0 } signatureList:
                {
                    var prefixed = Choose(Enumerable.Range(0, signatureList.Count).Select(i => signatureList[i]), s => s.KeyId, verifiers, out var ring, out var key);
                    return new SignatureCheck(prefixed.KeyId, null, prefixed, ring, key);
                }

                default:
                    return null;
            }
        }

        public void Update(byte[] buffer, int count)
        {
            if (_signerKnown)
            {
                _onePass?.Update(buffer, 0, count);
                _prefixed?.Update(buffer, 0, count);
            }
        }

        /// <summary>Reads the trailing signature (one-pass) and verifies.</summary>
        public PgpSignatureStatus Finish(PgpObjectFactory factory)
        {
            if (_onePass is not null)
            {
                var signatures = factory.NextPgpObject() as PgpSignatureList
                    ?? throw new PgpException("A one-pass signature without its signature packet.");
                if (!_signerKnown)
                {
                    return PgpSignatureStatus.UnknownSigner;
                }

                var signature = Enumerable.Range(0, signatures.Count).Select(i => signatures[i]).FirstOrDefault(s => s.KeyId == KeyId)
                    ?? throw new PgpException("The signature packet does not match its one-pass signature.");
                return _onePass.Verify(signature) ? PgpSignatureStatus.Valid : PgpSignatureStatus.Invalid;
            }

            if (!_signerKnown)
            {
                return PgpSignatureStatus.UnknownSigner;
            }

            return _prefixed!.Verify() ? PgpSignatureStatus.Valid : PgpSignatureStatus.Invalid;
        }

        /// <summary>The first signature made by a known key, else the first one.</summary>
        private static T Choose<T>(IEnumerable<T> signatures, Func<T, long> keyId, List<PgpPublicKeyRing> verifiers, out PgpPublicKeyRing? ring, out PgpPublicKey? key)
        {
            var all = signatures.ToList();
            foreach (var candidate in all)
            {
                foreach (var verifier in verifiers)
                {
                    if (verifier.GetPublicKey(keyId(candidate)) is { } match)
                    {
                        (ring, key) = (verifier, match);
                        return candidate;
                    }
                }
            }

            (ring, key) = (null, null);
            return all[0];
        }
    }
}
