using System.Collections.Concurrent;
using ReportingApi.Pgp;
using ReportingApi.TestSupport;

namespace ReportingApi.IntegrationTests.Pgp;

/// <summary>
/// Partner keys of every kind we accept, made by gpg in one private home, each once per test class (RSA-4096 takes
/// gpg seconds): unprotected, never expiring, with an encryption subkey.
/// </summary>
public sealed class GpgPartnerKeys : IDisposable
{
    /// <summary>The gpg algorithm names of the partner keys we accept.</summary>
    public static readonly IReadOnlyList<string> AcceptedAlgorithms = ["rsa3072", "rsa4096", "nistp256", "nistp384", "nistp521", GnuPgHome.FutureDefault];

    private readonly ConcurrentDictionary<string, Lazy<string>> _fingerprints = new();

    internal GnuPgHome Home { get; } = new();

    /// <summary>The fingerprint of the partner key of <paramref name="algorithm"/>, generated the first time it is asked for.</summary>
    public string Fingerprint(string algorithm) =>
        _fingerprints.GetOrAdd(algorithm, _ => new Lazy<string>(() => Home.GenerateKeyWithEncryptionSubkey($"Partner {algorithm} <{algorithm}@partner.test>", algorithm))).Value;

    /// <summary>The partner key of <paramref name="algorithm"/>: its fingerprint, and the key as our validator accepts it.</summary>
    public (string Fingerprint, PartnerPgpKey Key) Key(string algorithm)
    {
        var fingerprint = Fingerprint(algorithm);
        return (fingerprint, TestPgpKeys.Validated(Home.ExportPublicKey(fingerprint)));
    }

    public void Dispose() => Home.Dispose();
}
