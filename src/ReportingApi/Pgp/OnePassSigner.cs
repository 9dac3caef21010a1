using System.Buffers.Binary;
using System.Security.Cryptography;
using Org.BouncyCastle.Asn1.Nist;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Bcpg.Sig;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;

namespace ReportingApi.Pgp;

/// <summary>
/// A one-pass OpenPGP signature (v4, SHA-256, binary document) over data seen once, in chunks: the one-pass packet
/// goes before the data, the signature packet after it. The creation time is hashed, the issuer key id is not.
/// </summary>
/// <remarks>
/// The data is hashed by .NET's SHA-256, which uses the CPU's SHA instructions, and only the finished hash is signed
/// with BouncyCastle (RSA PKCS#1 v1.5, or Ed25519 over the hash, as gpg signs with EdDSA). BouncyCastle's own
/// generator hashes every byte twice in managed code (its signer's digest and the quick-check digest): measured here
/// on the 159 MB contracts CSV, it hashes 65–90 MB/s for RSA and Ed25519 alike, .NET's SHA-256 0.7–1.2 GB/s, while zlib
/// at level 6 runs at 50–70 MB/s; with BouncyCastle's generator signing would have roughly halved our throughput.
/// </remarks>
internal sealed class OnePassSigner : IDisposable
{
    private const int SignatureType = PgpSignature.BinaryDocument;
    private const HashAlgorithmTag Hash = HashAlgorithmTag.Sha256;

    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly PgpPrivateKey _key;
    private readonly PublicKeyAlgorithmTag _algorithm;
    private readonly DateTime _creationTime;

    /// <exception cref="NotSupportedException">The signing key is neither RSA nor Ed25519 (see <see cref="CanSignWith"/>).</exception>
    public OnePassSigner(UnlockedPgpKey signer, DateTime creationTime)
    {
        if (!CanSignWith(signer.SigningPublicKey))
        {
            throw new NotSupportedException($"Signing with {OpenPgpKeys.AlgorithmName(signer.SigningPublicKey)} keys is not supported; the company key must be RSA or Ed25519.");
        }

        _key = signer.SigningKey;
        _algorithm = signer.SigningPublicKey.Algorithm;
        _creationTime = creationTime;
    }

    /// <summary>The signing key kinds this signer can use: RSA, and EdDSA on Ed25519.</summary>
    public static bool CanSignWith(PgpPublicKey key) =>
        key.Algorithm is PublicKeyAlgorithmTag.RsaGeneral or PublicKeyAlgorithmTag.RsaSign
        || (key.Algorithm == PublicKeyAlgorithmTag.EdDsa_Legacy && OpenPgpKeys.IsOnCurve(key, OpenPgpKeys.Curves.Ed25519));

    public void WriteOnePassPacket(Stream output) =>
        Write(output, new OnePassSignaturePacket(SignatureType, Hash, _algorithm, _key.KeyId, isNested: false));

    public void Update(byte[] buffer, int offset, int count) => _hash.AppendData(buffer, offset, count);

    /// <summary>Builds the v4 signature packet (RFC 4880 5.2.3) around the signature of the SHA-256 hash.</summary>
    public void WriteSignaturePacket(Stream output)
    {
        SignatureSubpacket[] hashed = [new SignatureCreationTime(false, _creationTime)];
        SignatureSubpacket[] unhashed = [new IssuerKeyId(false, _key.KeyId)];
        var digest = FinishHash(hashed);
        Write(output, new SignaturePacket(4, SignatureType, _key.KeyId, _algorithm, Hash, hashed, unhashed, digest[..2], Sign(digest)));
    }

    public void Dispose() => _hash.Dispose();

    /// <summary>RSA: one MPI, the PKCS#1 v1.5 signature. EdDSA: two MPIs, R and S, the halves of the Ed25519 signature of the hash.</summary>
    private MPInteger[] Sign(byte[] digest)
    {
        if (_algorithm == PublicKeyAlgorithmTag.EdDsa_Legacy)
        {
            var ed25519 = new Ed25519Signer();
            ed25519.Init(true, (Ed25519PrivateKeyParameters)_key.Key);
            ed25519.BlockUpdate(digest, 0, digest.Length);
            var signature = ed25519.GenerateSignature();
            return [new MPInteger(new BigInteger(1, signature, 0, 32)), new MPInteger(new BigInteger(1, signature, 32, 32))];
        }

        var rsa = new RsaDigestSigner(new NullDigest(), NistObjectIdentifiers.IdSha256);
        rsa.Init(true, _key.Key);
        rsa.BlockUpdate(digest, 0, digest.Length);
        return [new MPInteger(new BigInteger(1, rsa.GenerateSignature()))];
    }

    /// <summary>After the data: version, type, algorithms and hashed subpackets, then 0x04 0xFF and their length (RFC 4880 5.2.4).</summary>
    private byte[] FinishHash(SignatureSubpacket[] hashed)
    {
        using var subpackets = new MemoryStream();
        foreach (var subpacket in hashed)
        {
            subpacket.Encode(subpackets);
        }

        var fields = new byte[6 + subpackets.Length];
        fields[0] = 4;
        fields[1] = SignatureType;
        fields[2] = (byte)_algorithm;
        fields[3] = (byte)Hash;
        BinaryPrimitives.WriteUInt16BigEndian(fields.AsSpan(4), (ushort)subpackets.Length);
        subpackets.GetBuffer().AsSpan(0, (int)subpackets.Length).CopyTo(fields.AsSpan(6));
        _hash.AppendData(fields);

        Span<byte> trailer = [4, 0xFF, 0, 0, 0, 0];
        BinaryPrimitives.WriteUInt32BigEndian(trailer[2..], (uint)fields.Length);
        _hash.AppendData(trailer);
        return _hash.GetHashAndReset();
    }

    private static void Write(Stream output, ContainedPacket packet) => new BcpgOutputStream(output).WritePacket(packet);
}
