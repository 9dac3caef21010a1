using ReportingApi.TestSupport.Aws;

namespace ReportingApi.TestSupport;

/// <summary>A key pair ssh-keygen made: the private key file (no passphrase) and the public key line of its <c>.pub</c>.</summary>
public sealed record SshKeyPair(string PrivateKeyPath, string PublicKeyLine)
{
    public string PublicKeyPath => PrivateKeyPath + ".pub";
}

/// <summary>SSH keys made by OpenSSH's own ssh-keygen (tests/install/openssh.sh), so tests read what partners would send.</summary>
public static class SshKeyPairs
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary><c>ssh-keygen -t {type} [-b {bits}]</c> into <paramref name="privateKeyPath"/> and <c>.pub</c>.</summary>
    public static async Task<SshKeyPair> CreateAsync(string privateKeyPath, string type, int bits = 0, string comment = "partner@reportingapi-test")
    {
        List<string> arguments = ["-q", "-t", type, "-N", "", "-C", comment, "-f", privateKeyPath];
        if (bits > 0)
        {
            arguments.AddRange(["-b", bits.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        await RunAsync(arguments);
        return new SshKeyPair(privateKeyPath, (await File.ReadAllTextAsync(privateKeyPath + ".pub")).Trim());
    }

    /// <summary>What <c>ssh-keygen -l -E sha256</c> prints for a public key file: bits, fingerprint and type.</summary>
    public static async Task<(int Bits, string Fingerprint, string Type)> DescribeAsync(string publicKeyPath)
    {
        // "3072 SHA256:abc... comment (RSA)"
        var fields = (await RunAsync(["-l", "-E", "sha256", "-f", publicKeyPath])).Trim().Split(' ');
        return (int.Parse(fields[0], System.Globalization.CultureInfo.InvariantCulture), fields[1], fields[^1].Trim('(', ')'));
    }

    /// <summary>Signs <paramref name="publicKeyPath"/> with a new CA key into <c>...-cert.pub</c>; returns that certificate line.</summary>
    public static async Task<string> CertifyAsync(string publicKeyPath, string folder)
    {
        var ca = await CreateAsync(Path.Combine(folder, "ca-" + Guid.NewGuid().ToString("N")), "ed25519");
        await RunAsync(["-q", "-s", ca.PrivateKeyPath, "-I", "reportingapi-test", "-n", "partner", publicKeyPath]);
        return (await File.ReadAllTextAsync(publicKeyPath[..^".pub".Length] + "-cert.pub")).Trim();
    }

    private static async Task<string> RunAsync(IEnumerable<string> arguments)
    {
        var result = await AwsTools.RunAsync("ssh-keygen", arguments, Timeout);
        return result.ExitCode == 0
            ? result.Output
            : throw new InvalidOperationException($"ssh-keygen {string.Join(' ', arguments)} failed ({result.ExitCode}): {result.Errors}");
    }
}
