using System.Buffers.Binary;
using System.Security.Cryptography;
using Org.BouncyCastle.Asn1.Nist;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Bcpg.Sig;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;

namespace ReportingApi.Pgp;

/// <summary>
/// A one-pass OpenPGP signature (SHA-256, binary document) over data seen once, in chunks: the one-pass packet goes
/// before the data, the signature packet after it. The creation time is hashed, the issuer key id is not.
/// </summary>
internal abstract class OnePassSigner : IDisposable
{
    /// <summary>
    /// For RSA keys (what <see cref="PgpKeyGenerator"/> makes) the data is hashed by .NET's SHA-256, which uses the CPU's
    /// SHA instructions: BouncyCastle's generator hashes every byte twice in managed code, and that was the largest
    /// cost of encrypting a report. Other key algorithms use BouncyCastle's generator.
    /// </summary>
    public static OnePassSigner Create(UnlockedPgpKey signer, DateTime creationTime, SecureRandom random) =>
        signer.SigningPublicKey.Algorithm is PublicKeyAlgorithmTag.RsaGeneral or PublicKeyAlgorithmTag.RsaSign
            ? new RsaSha256OnePassSigner(signer, creationTime)
            : new BouncyCastleOnePassSigner(signer, creationTime, random);

    public abstract void WriteOnePassPacket(Stream output);

    public abstract void Update(byte[] buffer, int offset, int count);

    public abstract void WriteSignaturePacket(Stream output);

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }

    protected static void Write(Stream output, ContainedPacket packet) => new BcpgOutputStream(output).WritePacket(packet);

    /// <summary>Builds the v4 signature packet itself (RFC 4880 5.2.3) around an RSA PKCS#1 v1.5 signature of the SHA-256 hash.</summary>
    private sealed class RsaSha256OnePassSigner(UnlockedPgpKey signer, DateTime creationTime) : OnePassSigner
    {
        private const int SignatureType = PgpSignature.BinaryDocument;
        private const HashAlgorithmTag Hash = HashAlgorithmTag.Sha256;

        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly PublicKeyAlgorithmTag _algorithm = signer.SigningPublicKey.Algorithm;
        private readonly long _keyId = signer.SigningPublicKey.KeyId;

        public override void WriteOnePassPacket(Stream output) =>
            Write(output, new OnePassSignaturePacket(SignatureType, Hash, _algorithm, _keyId, isNested: false));

        public override void Update(byte[] buffer, int offset, int count) => _hash.AppendData(buffer, offset, count);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _hash.Dispose();
            }

            base.Dispose(disposing);
        }

        public override void WriteSignaturePacket(Stream output)
        {
            SignatureSubpacket[] hashed = [new SignatureCreationTime(false, creationTime)];
            SignatureSubpacket[] unhashed = [new IssuerKeyId(false, _keyId)];
            var digest = FinishHash(hashed);

            var rsa = new RsaDigestSigner(new NullDigest(), NistObjectIdentifiers.IdSha256);
            rsa.Init(true, signer.SigningKey.Key);
            rsa.BlockUpdate(digest, 0, digest.Length);
            var signature = new MPInteger(new BigInteger(1, rsa.GenerateSignature()));
            Write(output, new SignaturePacket(4, SignatureType, _keyId, _algorithm, Hash, hashed, unhashed, digest[..2], [signature]));
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
    }

    private sealed class BouncyCastleOnePassSigner : OnePassSigner
    {
        private readonly PgpSignatureGenerator _generator;

        public BouncyCastleOnePassSigner(UnlockedPgpKey signer, DateTime creationTime, SecureRandom random)
        {
            _generator = new PgpSignatureGenerator(signer.SigningPublicKey.Algorithm, HashAlgorithmTag.Sha256);
            _generator.InitSign(PgpSignature.BinaryDocument, signer.SigningKey, random);
            var hashed = new PgpSignatureSubpacketGenerator();
            hashed.SetSignatureCreationTime(false, creationTime);
            _generator.SetHashedSubpackets(hashed.Generate());
            var unhashed = new PgpSignatureSubpacketGenerator();
            unhashed.SetIssuerKeyID(false, signer.SigningPublicKey.KeyId);
            _generator.SetUnhashedSubpackets(unhashed.Generate());
        }

        public override void WriteOnePassPacket(Stream output) => _generator.GenerateOnePassVersion(false).Encode(output);

        public override void Update(byte[] buffer, int offset, int count) => _generator.Update(buffer, offset, count);

        public override void WriteSignaturePacket(Stream output) => _generator.Generate().Encode(output);
    }
}
