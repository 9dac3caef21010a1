using System.Reflection;
using MySql.Data.MySqlClient;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace ReportingApi.Tests.Pgp;

/// <summary>
/// Two BouncyCastle assemblies side by side (see Directory.Packages.props): our OpenPGP code compiles against
/// BouncyCastle.Cryptography 2.7.0 only, while MySql.Data 8.0.16 keeps the BouncyCastle.Crypto 1.8.5 it was built
/// against, for PEM certificates and keys.
/// </summary>
public sealed class BouncyCastleAssemblyTests
{
    [Fact]
    public void Our_openpgp_code_uses_bouncycastle_cryptography_2_7()
    {
        var assembly = typeof(PgpPublicKey).Assembly;

        Assert.Equal("BouncyCastle.Cryptography", assembly.GetName().Name);
        Assert.StartsWith("2.7.0", assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion, StringComparison.Ordinal);
        Assert.Same(assembly, typeof(ReportingApi.Pgp.PgpEncryptor).Assembly.GetReferencedAssemblies()
            .Where(name => name.Name!.StartsWith("BouncyCastle", StringComparison.Ordinal)).Select(Assembly.Load).Single());
    }

    [Fact]
    public void MySql_data_binds_its_bouncycastle_reference_to_its_own_assembly()
    {
        var reference = typeof(MySqlConnection).Assembly.GetReferencedAssemblies().Single(name => name.Name == "BouncyCastle.Crypto");

        var resolved = Assembly.Load(reference);

        Assert.NotSame(typeof(PgpPublicKey).Assembly, resolved);
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "BouncyCastle.Crypto.dll"), resolved.Location);
        // A type MySql.Data uses for PEM files (SslCa, SslCert, SslKey) resolves from it.
        Assert.NotNull(resolved.GetType("Org.BouncyCastle.OpenSsl.PemReader", throwOnError: true));
    }
}
