using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ReportingApi.Pgp;
using ReportingApi.TestSupport;

namespace ReportingApi.Tests.Pgp;

public sealed class CompanySigningKeyTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("company-key-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void The_key_is_loaded_from_its_file_and_unlocked_with_the_passphrase_file()
    {
        File.WriteAllText(Path.Combine(_folder, "company.asc"), TestPgpKeys.Company.ArmoredSecretKey);
        File.WriteAllText(Path.Combine(_folder, "passphrase"), TestPgpKeys.CompanyPassphrase + "\n");

        var key = Load(new PgpOptions { SecretKeyPath = "company.asc", PassphrasePath = "passphrase" }).Key;

        Assert.Equal(TestPgpKeys.Company.Fingerprint, key.Fingerprint);
        Assert.Equal(TestPgpKeys.Company.KeyId, key.SigningKeyId);
        Assert.StartsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----", key.ArmoredPublicKey, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_passphrase_is_a_clear_error_that_does_not_contain_the_passphrase()
    {
        const string wrong = "not-the-passphrase-7f3a";
        File.WriteAllText(Path.Combine(_folder, "company.asc"), TestPgpKeys.Company.ArmoredSecretKey);
        File.WriteAllText(Path.Combine(_folder, "passphrase"), wrong);

        var error = Assert.Throws<PgpKeyUnlockException>(() => Load(new PgpOptions { SecretKeyPath = "company.asc", PassphrasePath = "passphrase" }));

        Assert.Contains("passphrase is wrong", error.Message, StringComparison.Ordinal);
        Assert.Contains("Pgp:SecretKeyPath", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(TestPgpKeys.CompanyPassphrase, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_key_file_names_the_setting_and_the_path()
    {
        File.WriteAllText(Path.Combine(_folder, "passphrase"), TestPgpKeys.CompanyPassphrase);

        var error = Assert.Throws<PgpKeyUnlockException>(() => Load(new PgpOptions { SecretKeyPath = "nowhere.asc", PassphrasePath = "passphrase" }));

        Assert.Contains(Path.Combine(_folder, "nowhere.asc"), error.Message, StringComparison.Ordinal);
        Assert.Contains("Pgp:SecretKeyPath", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_public_key_in_place_of_the_secret_key_is_refused()
    {
        File.WriteAllText(Path.Combine(_folder, "company.asc"), TestPgpKeys.Company.ArmoredPublicKey);
        File.WriteAllText(Path.Combine(_folder, "passphrase"), TestPgpKeys.CompanyPassphrase);

        var error = Assert.Throws<PgpKeyUnlockException>(() => Load(new PgpOptions { SecretKeyPath = "company.asc", PassphrasePath = "passphrase" }));

        Assert.Contains("not an ASCII-armored OpenPGP secret key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void In_development_a_missing_key_is_generated_once_and_kept_private()
    {
        var options = new PgpOptions { SecretKeyPath = "keys/company.asc", PassphrasePath = "keys/passphrase", CreateDevelopmentKeyIfMissing = true };

        var first = Load(options, Environments.Development).Key;
        var second = Load(options, Environments.Development).Key;

        Assert.Equal(first.Fingerprint, second.Fingerprint);
        var keyFile = Path.Combine(_folder, "keys", "company.asc");
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_folder, "keys", "passphrase")));
        }

        Assert.Contains("PRIVATE KEY BLOCK", File.ReadAllText(keyFile), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(PgpKeyKind.Rsa, "RSA")]
    [InlineData(PgpKeyKind.Ed25519, "EdDSA Ed25519")]
    public void The_development_key_is_of_the_kind_configured(PgpKeyKind kind, string signingAlgorithm)
    {
        var options = new PgpOptions { SecretKeyPath = "company.asc", PassphrasePath = "passphrase", CreateDevelopmentKeyIfMissing = true, DevelopmentKeyKind = kind };

        var key = Load(options, Environments.Development).Key;

        Assert.Equal(signingAlgorithm, OpenPgpKeys.AlgorithmName(key.SigningPublicKey));
        Assert.Equal(key.KeyId, key.SigningKeyId);
    }

    [Fact]
    public void Outside_development_a_missing_key_is_never_generated()
    {
        var options = new PgpOptions { SecretKeyPath = "company.asc", PassphrasePath = "passphrase", CreateDevelopmentKeyIfMissing = true };

        Assert.Throws<PgpKeyUnlockException>(() => Load(options, Environments.Production));
        Assert.False(File.Exists(Path.Combine(_folder, "company.asc")));
    }

    [Fact]
    public async Task The_app_does_not_start_when_the_company_key_cannot_be_loaded()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Production, ContentRootPath = _folder });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Pgp:SecretKeyPath"] = "missing.asc",
            ["Pgp:PassphrasePath"] = "missing-passphrase",
        });
        builder.Services.AddPgp();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<PgpKeyUnlockException>(() => host.StartAsync());

        Assert.Contains("Pgp:PassphrasePath", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_app_does_not_start_without_the_key_settings()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Production, ContentRootPath = _folder });
        builder.Services.AddPgp();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(nameof(PgpOptions.SecretKeyPath), error.Message, StringComparison.Ordinal);
    }

    private CompanySigningKey Load(PgpOptions options, string environment = "Production") => new(
        Options.Create(options),
        new TestEnvironment(environment, _folder),
        new PgpKeyGenerator(TimeProvider.System),
        TimeProvider.System,
        NullLogger<CompanySigningKey>.Instance);

    private sealed class TestEnvironment(string environmentName, string contentRoot) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = environmentName;

        public string ApplicationName { get; set; } = "ReportingApi.Tests";

        public string ContentRootPath { get; set; } = contentRoot;

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}
