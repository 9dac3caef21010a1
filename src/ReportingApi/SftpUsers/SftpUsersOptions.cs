using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using ReportingApi.Storage;

namespace ReportingApi.SftpUsers;

/// <summary>The SFTP server partners log in to.</summary>
public enum SftpServerProvider
{
    /// <summary>A local OpenSSH sshd (deploy/local-partner-sftp.sh) serving the folder object store: the embedded default.</summary>
    OpenSsh,

    /// <summary>An AWS Transfer Family server with service-managed users in front of the S3 object store.</summary>
    TransferFamily,
}

/// <summary>Partner SFTP users (section <c>SftpUsers</c>).</summary>
public sealed class SftpUsersOptions
{
    public const string Section = "SftpUsers";

    public SftpServerProvider Provider { get; set; } = SftpServerProvider.OpenSsh;

    public OpenSshUsersOptions OpenSsh { get; set; } = new();

    public TransferFamilyUsersOptions TransferFamily { get; set; } = new();
}

/// <summary>Where the local sshd reads its partner users (sub-section <c>SftpUsers:OpenSsh</c>).</summary>
public sealed class OpenSshUsersOptions
{
    /// <summary>One folder per user (<c>authorized_keys</c>, <c>home</c>); a relative path is resolved against the content root.</summary>
    [Required]
    public string UsersPath { get; set; } = ".local/sftp-users";
}

/// <summary>The Transfer Family server and the role its users work with (sub-section <c>SftpUsers:TransferFamily</c>).</summary>
public sealed class TransferFamilyUsersOptions
{
    /// <summary>The server's id, <c>s-</c> and 17 hex digits (the stack output <c>PartnerSftpServerId</c>).</summary>
    [RegularExpression("^s-[0-9a-f]{17}$", ErrorMessage = "ServerId must be s- and 17 hex digits.")]
    public string? ServerId { get; set; }

    /// <summary>The IAM role Transfer Family assumes for every partner user (the stack output <c>PartnerSftpUserRoleArn</c>); each user's session policy narrows it to the partner's prefixes.</summary>
    [RegularExpression(@"^arn:[a-z-]+:iam::\d{12}:role/\S+$", ErrorMessage = "UserRoleArn must be an IAM role ARN.")]
    public string? UserRoleArn { get; set; }

    /// <summary>The ARN's partition (<c>aws</c>, <c>aws-cn</c>...), for the S3 ARNs of the session policy.</summary>
    public string Partition => UserRoleArn?.Split(':')[1] ?? "aws";
}

/// <summary>Checks at start what DataAnnotations cannot: what the chosen provider needs, here and in the object store's settings.</summary>
internal sealed class SftpUsersOptionsValidation(IOptions<ObjectStoreOptions> objectStore) : IValidateOptions<SftpUsersOptions>
{
    public ValidateOptionsResult Validate(string? name, SftpUsersOptions options)
    {
        var failures = new List<string>();
        foreach (var settings in new object[] { options.OpenSsh, options.TransferFamily })
        {
            var results = new List<ValidationResult>();
            Validator.TryValidateObject(settings, new ValidationContext(settings), results, validateAllProperties: true);
            failures.AddRange(results.Select(result => result.ErrorMessage ?? "invalid"));
        }

        if (options.Provider == SftpServerProvider.TransferFamily)
        {
            if (string.IsNullOrEmpty(options.TransferFamily.ServerId) || string.IsNullOrEmpty(options.TransferFamily.UserRoleArn))
            {
                failures.Add($"{SftpUsersOptions.Section}:TransferFamily needs ServerId and UserRoleArn.");
            }

            if (objectStore.Value.Provider != ObjectStoreProvider.S3)
            {
                failures.Add($"{SftpUsersOptions.Section}:Provider TransferFamily serves the S3 bucket: it needs {ObjectStoreOptions.Section}:Provider S3.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
