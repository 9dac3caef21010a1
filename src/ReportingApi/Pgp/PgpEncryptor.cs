using System.IO.Compression;
using System.Text;
using Microsoft.Extensions.Options;

namespace ReportingApi.Pgp;

/// <summary>Encrypts report files to a partner's key and signs them with the company key, streamed.</summary>
public sealed class PgpEncryptor
{
    /// <summary>Buffer of each packet layer and the largest chunk processed at once; memory does not grow with the file.</summary>
    public const int BufferSize = 64 * 1024;

    private const int MaxFileNameBytes = 255;

    private readonly UnlockedPgpKey _signer;
    private readonly bool _armorByDefault;
    private readonly CompressionLevel _compressionLevel;
    private readonly TimeProvider _timeProvider;

    public PgpEncryptor(CompanySigningKey companyKey, IOptions<PgpOptions> options, TimeProvider timeProvider)
        : this(companyKey.Key, options.Value.Armor, options.Value.CompressionLevel, timeProvider)
    {
    }

    internal PgpEncryptor(UnlockedPgpKey signer, bool armorByDefault, CompressionLevel compressionLevel, TimeProvider timeProvider)
    {
        _signer = signer;
        _armorByDefault = armorByDefault;
        _compressionLevel = compressionLevel;
        _timeProvider = timeProvider;
    }

    /// <summary>
    /// Opens a stream that encrypts and signs what is written to it into <paramref name="output"/>. Dispose it
    /// (preferably with <c>await using</c>) to finish the message; <paramref name="output"/> stays open.
    /// </summary>
    /// <param name="recipient">A key that passed <see cref="PgpKeyValidator"/>; files are encrypted to its encryption subkey.</param>
    /// <param name="fileName">Name stored in the literal data packet (what <c>gpg --output</c> defaults to), e.g. <c>contracts_2026-01-01_2026-01-31_42.csv</c>; no directories.</param>
    /// <param name="armor">ASCII armor; null for <see cref="PgpOptions.Armor"/>.</param>
    public PgpEncryptingStream OpenEncryptingStream(Stream output, PartnerPgpKey recipient, string fileName, bool? armor = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(recipient);
        ValidateFileName(fileName);
        if (!output.CanWrite)
        {
            throw new ArgumentException("The output stream must be writable.", nameof(output));
        }

        // OpenPGP keeps whole seconds; the literal data date and the signature time are the same instant.
        var now = _timeProvider.GetUtcNow().UtcDateTime;
        var timestamp = new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
        return new PgpEncryptingStream(output, recipient.EncryptionPublicKey, _signer, fileName, timestamp, armor ?? _armorByDefault, _compressionLevel);
    }

    /// <summary>Encrypts and signs all of <paramref name="plaintext"/> into <paramref name="output"/>, which stays open.</summary>
    /// <returns>The number of plaintext bytes.</returns>
    public async Task<long> EncryptAsync(Stream plaintext, Stream output, PartnerPgpKey recipient, string fileName, bool? armor = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        var encrypting = OpenEncryptingStream(output, recipient, fileName, armor);
        await using (encrypting)
        {
            try
            {
                await plaintext.CopyToAsync(encrypting, BufferSize, cancellationToken);
            }
            catch
            {
                encrypting.Abandon();
                throw;
            }
        }

        return encrypting.PlaintextBytes;
    }

    private static void ValidateFileName(string fileName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);
        if (fileName.IndexOfAny(['/', '\\', '\0']) >= 0 || Encoding.UTF8.GetByteCount(fileName) > MaxFileNameBytes)
        {
            throw new ArgumentException($"The literal file name must be a plain file name of at most {MaxFileNameBytes} UTF-8 bytes.", nameof(fileName));
        }
    }
}
