using System.IO.Compression;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Security;

namespace ReportingApi.Pgp;

/// <summary>
/// Write-only stream that turns the plaintext written to it into one OpenPGP message on the output:
/// public-key encrypted session key, then AES-256 with integrity protection (MDC) around zlib-compressed data that
/// holds a one-pass signature, the literal data and the signature (SHA-256). Optionally ASCII-armored.
/// Disposing finishes every packet and flushes the output, which stays open. Packets use partial lengths, so the
/// size need not be known; every layer buffers at most <see cref="PgpEncryptor.BufferSize"/> bytes.
/// </summary>
/// <remarks>
/// BouncyCastle writes synchronously, so it writes into a small staging buffer, and this stream moves the staged
/// bytes to the output after every chunk: asynchronously from <see cref="WriteAsync(ReadOnlyMemory{byte}, CancellationToken)"/>
/// and <see cref="DisposeAsync"/>. If producing the plaintext fails, call <see cref="Abandon"/> before disposing:
/// otherwise disposing would sign and finish a truncated file as if it were complete.
/// </remarks>
public sealed class PgpEncryptingStream : Stream
{
    private readonly Stream _output;
    private readonly MemoryStream _staged = new();
    private readonly byte[] _chunk = new byte[PgpEncryptor.BufferSize];
    private readonly ArmoredOutputStream? _armor;
    private readonly PgpEncryptedDataGenerator _encryption;
    private readonly Stream _encrypted;
    private readonly BcpgOutputStream _compressedPacket;
    private readonly ZLibStream _compressor;
    private readonly OnePassSigner _signer;
    private readonly Stream _literal;
    private long _plaintextBytes;
    private bool _closed;

    internal PgpEncryptingStream(Stream output, PgpPublicKey recipient, UnlockedPgpKey signer, string fileName, DateTime modificationTime, bool armor, CompressionLevel compressionLevel)
    {
        _output = output;
        var random = new SecureRandom();
        Stream packets = _staged;
        if (armor)
        {
            // Without the default "Version: BCPG C# v2.7.0" header, which tells every reader which library we run.
            _armor = new ArmoredOutputStream(_staged, addVersionHeader: false);
            packets = _armor;
        }

        _encryption = new PgpEncryptedDataGenerator(SymmetricKeyAlgorithmTag.Aes256, withIntegrityPacket: true, random);
        _encryption.AddMethod(recipient);
        _encrypted = _encryption.Open(packets, new byte[PgpEncryptor.BufferSize]);

        // The compressed packet is framed by BouncyCastle but compressed by .NET's native zlib, which is several times
        // faster than BouncyCastle's managed port. Body: the algorithm octet, then the zlib stream (RFC 4880 5.6).
        _compressedPacket = new BcpgOutputStream(_encrypted, PacketTag.CompressedData, new byte[PgpEncryptor.BufferSize]);
        _compressedPacket.WriteByte((byte)CompressionAlgorithmTag.ZLib);
        _compressor = new ZLibStream(_compressedPacket, compressionLevel, leaveOpen: true);

        _signer = new OnePassSigner(signer, modificationTime);
        _signer.WriteOnePassPacket(_compressor);

        _literal = new PgpLiteralDataGenerator().Open(_compressor, PgpLiteralData.Binary, fileName, modificationTime, new byte[PgpEncryptor.BufferSize]);
    }

    /// <summary>Plaintext bytes written so far.</summary>
    public long PlaintextBytes => _plaintextBytes;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => !_closed;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Stops without finishing the message: no signature, no integrity packet. The output is left as it is, incomplete; discard it.</summary>
    public void Abandon() => _closed = true;

    public override void Write(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        Write(buffer.AsSpan(offset, count));
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        while (!buffer.IsEmpty)
        {
            var length = TransformChunk(buffer);
            buffer = buffer[length..];
            MoveStagedToOutput();
        }
    }

    public override void WriteByte(byte value) => Write([value]);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        while (!buffer.IsEmpty)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var length = TransformChunk(buffer.Span);
            buffer = buffer[length..];
            await MoveStagedToOutputAsync(cancellationToken);
        }
    }

    /// <summary>Sends what the packet layers have produced so far; they keep up to a buffer each until it fills or the stream is disposed.</summary>
    public override void Flush()
    {
        if (!_closed)
        {
            MoveStagedToOutput();
            _output.Flush();
        }
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (!_closed)
        {
            await MoveStagedToOutputAsync(cancellationToken);
            await _output.FlushAsync(cancellationToken);
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        if (!_closed)
        {
            _closed = true;
            FinishPackets();
            await MoveStagedToOutputAsync(CancellationToken.None);
            await _output.FlushAsync();
        }

        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_closed)
        {
            _closed = true;
            FinishPackets();
            MoveStagedToOutput();
            _output.Flush();
        }

        if (disposing)
        {
            _signer.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Signs and writes one chunk of plaintext into the packet layers (all synchronous, into the staging buffer).</summary>
    private int TransformChunk(ReadOnlySpan<byte> plaintext)
    {
        var length = Math.Min(plaintext.Length, _chunk.Length);
        plaintext[..length].CopyTo(_chunk);
        _signer.Update(_chunk, 0, length);
        _literal.Write(_chunk, 0, length);
        _plaintextBytes += length;
        return length;
    }

    /// <summary>Closes the layers inside out: literal data, signature, compression, encryption with its MDC, armor.</summary>
    private void FinishPackets()
    {
        // Disposing a stream BouncyCastle opened finishes its packet and leaves the stream below open.
        _literal.Dispose();
        _signer.WriteSignaturePacket(_compressor);
        _compressor.Dispose();
        _compressedPacket.Finish();
        _encrypted.Dispose();
        _armor?.Dispose();
    }

    private void MoveStagedToOutput()
    {
        if (_staged.Length > 0)
        {
            _output.Write(_staged.GetBuffer(), 0, (int)_staged.Length);
            _staged.SetLength(0);
        }
    }

    private async ValueTask MoveStagedToOutputAsync(CancellationToken cancellationToken)
    {
        if (_staged.Length > 0)
        {
            await _output.WriteAsync(_staged.GetBuffer().AsMemory(0, (int)_staged.Length), cancellationToken);
            _staged.SetLength(0);
        }
    }
}
