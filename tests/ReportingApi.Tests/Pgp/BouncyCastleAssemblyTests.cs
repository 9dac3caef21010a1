using System.Reflection;
using MySql.Data.MySqlClient;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.OpenSsl;

namespace ReportingApi.Tests.Pgp;

/// <summary>
/// One BouncyCastle for both users: our OpenPGP code (Portable.BouncyCastle 1.8.10) and MySql.Data, which was built
/// against BouncyCastle.NetCore and reads PEM certificates and keys with it (see Directory.Packages.props).
/// </summary>
public sealed class BouncyCastleAssemblyTests
{
    [Fact]
    public void Only_portable_bouncycastle_is_deployed()
    {
        var assembly = typeof(PgpPublicKey).Assembly;

        Assert.Equal(new Version(1, 8, 10, 0), assembly.GetName().Version);
        Assert.Equal("0E99375E54769942", Convert.ToHexString(assembly.GetName().GetPublicKeyToken()!));
        // Beside it only SSH.NET's BouncyCastle.Cryptography, an assembly of another name (see Directory.Packages.props).
        Assert.Equal(["BouncyCastle.Crypto.dll", "BouncyCastle.Cryptography.dll"], Directory.GetFiles(AppContext.BaseDirectory, "BouncyCastle*.dll").Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void MySql_data_binds_its_bouncycastle_reference_to_the_same_assembly()
    {
        var reference = typeof(MySqlConnection).Assembly.GetReferencedAssemblies().Single(name => name.Name == "BouncyCastle.Crypto");

        var resolved = Assembly.Load(reference);

        Assert.Same(typeof(PgpPublicKey).Assembly, resolved);
        // A type MySql.Data uses for PEM files (SslCa, SslCert, SslKey) resolves from the deployed assembly.
        Assert.Same(typeof(PemReader), resolved.GetType("Org.BouncyCastle.OpenSsl.PemReader", throwOnError: true));
    }
}
