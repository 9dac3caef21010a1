using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using ReportingApi.Storage;
using ReportingApi.Aws.Transfer;

namespace ReportingApi.SftpUsers;

/// <summary>
/// Partner users on an AWS Transfer Family server (service-managed identities). Each user has a logical home
/// (<see cref="PartnerSftpUser.Home"/> entries mapped to <c>/{bucket}/{prefix}</c>), the shared user role, and a session
/// policy that narrows the role to the partner's own prefixes: write to its inbound folder, read its delivered files.
/// AWS errors surface as the <see cref="TransferServiceException"/> types <see cref="TransferUserClient"/> lists.
/// </summary>
public sealed class TransferFamilySftpUsers(
    TransferUserClient client,
    IOptions<SftpUsersOptions> options,
    IOptions<ObjectStoreOptions> objectStore,
    ILogger<TransferFamilySftpUsers> logger) : IPartnerSftpUsers
{
    private readonly TransferFamilyUsersOptions _server = options.Value.TransferFamily;
    private readonly S3StoreOptions _bucket = objectStore.Value.S3;

    private string ServerId => _server.ServerId ?? throw new InvalidOperationException("SftpUsers:TransferFamily:ServerId is not set.");

    public async Task<SftpUserChange> PutAsync(PartnerSftpUser user, CancellationToken cancellationToken)
    {
        var settings = SettingsOf(user);
        var existing = await client.DescribeUserAsync(ServerId, user.UserName, cancellationToken);
        var created = false;
        if (existing is null)
        {
            try
            {
                await client.CreateUserAsync(ServerId, settings, cancellationToken);
                created = true;
            }
            catch (TransferResourceExistsException)
            {
                // A put for the same partner created it meanwhile: carry on as an update of that user.
                existing = await client.DescribeUserAsync(ServerId, user.UserName, cancellationToken);
                if (existing is null)
                {
                    throw;
                }
            }
        }

        var homeUpdated = existing is not null && !HasSettings(existing, settings);
        if (homeUpdated)
        {
            await client.UpdateUserAsync(ServerId, settings, cancellationToken);
        }

        var (added, removed, kept) = await ReconcileKeysAsync(user, existing?.SshPublicKeys ?? [], cancellationToken);
        var change = new SftpUserChange(user.UserName, created, homeUpdated, added, removed, kept);
        if (change.Changed)
        {
            logger.LogInformation(
                "SFTP user {UserName} of partner {PartnerId} on {ServerId}: created {Created}, home updated {HomeUpdated}, keys added {KeysAdded}, removed {KeysRemoved}",
                user.UserName, user.PartnerId, ServerId, created, homeUpdated, added, removed);
        }

        return change;
    }

    public async Task<SftpUserState?> GetAsync(int partnerId, CancellationToken cancellationToken)
    {
        var userName = PartnerSftpUser.UserNameOf(partnerId);
        if (await client.DescribeUserAsync(ServerId, userName, cancellationToken) is not { } described)
        {
            return null;
        }

        var keys = (described.SshPublicKeys ?? [])
            .Select(key => SshPublicKey.TryParse(key.SshPublicKeyBody, out var parsed, out _) ? SftpUserKey.Of(parsed) : new SftpUserKey(key.SshPublicKeyId, null, null, null))
            .ToList();
        return new SftpUserState(userName, new PartnerSftpUser(partnerId, []).Home, keys);
    }

    /// <summary>What CreateUser and UpdateUser set for <paramref name="user"/>.</summary>
    internal TransferUserSettings SettingsOf(PartnerSftpUser user)
    {
        var keyPrefix = S3ObjectStore.NormalizePrefix(_bucket.KeyPrefix);
        var mappings = user.Home
            .Select(directory => new HomeDirectoryMapEntry(
                directory.Entry, $"/{_bucket.BucketName}/{keyPrefix}{directory.ObjectPrefix.TrimEnd(ObjectKeys.Separator)}", HomeDirectoryMapEntry.DirectoryType))
            .ToList();
        var role = _server.UserRoleArn ?? throw new InvalidOperationException("SftpUsers:TransferFamily:UserRoleArn is not set.");
        return new TransferUserSettings(user.UserName, role, mappings, SessionPolicy(user, keyPrefix));
    }

    /// <summary>
    /// The session policy of the partner's user: the user role allows every partner's inbound and outbound prefixes, this
    /// allows only the partner's own (AWS applies the intersection). Listing is allowed on the prefixes themselves, writing
    /// (upload, overwrite, delete, as SFTP clients do when they upload under a temporary name and rename) only where the
    /// home says read-write.
    /// </summary>
    private string SessionPolicy(PartnerSftpUser user, string keyPrefix)
    {
        var partition = _server.Partition;
        var bucketArn = $"arn:{partition}:s3:::{_bucket.BucketName}";
        var statements = new JsonArray
        {
            new JsonObject
            {
                ["Sid"] = "ListOwnFolders",
                ["Effect"] = "Allow",
                ["Action"] = "s3:ListBucket",
                ["Resource"] = bucketArn,
                ["Condition"] = new JsonObject
                {
                    ["StringLike"] = new JsonObject
                    {
                        ["s3:prefix"] = new JsonArray([.. user.Home.SelectMany(d => new[] { keyPrefix + d.ObjectPrefix.TrimEnd('/'), keyPrefix + d.ObjectPrefix + "*" }).Select(p => (JsonNode)p!)]),
                    },
                },
            },
        };
        foreach (var directory in user.Home)
        {
            string[] actions = directory.Access == SftpAccess.ReadWrite ? ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"] : ["s3:GetObject"];
            statements.Add(new JsonObject
            {
                ["Sid"] = (directory.Access == SftpAccess.ReadWrite ? "Write" : "Read") + char.ToUpperInvariant(directory.Entry[1]) + directory.Entry[2..],
                ["Effect"] = "Allow",
                ["Action"] = new JsonArray([.. actions.Select(a => (JsonNode)a!)]),
                ["Resource"] = $"{bucketArn}/{keyPrefix}{directory.ObjectPrefix}*",
            });
        }

        if (!string.IsNullOrEmpty(_bucket.KmsKeyId))
        {
            statements.Add(new JsonObject
            {
                ["Sid"] = "BucketKey",
                ["Effect"] = "Allow",
                ["Action"] = new JsonArray("kms:GenerateDataKey", "kms:Decrypt"),
                ["Resource"] = _bucket.KmsKeyId,
            });
        }

        return new JsonObject { ["Version"] = "2012-10-17", ["Statement"] = statements }.ToJsonString();
    }

    private static bool HasSettings(DescribedTransferUser user, TransferUserSettings settings) =>
        user.Role == settings.Role
        && user.HomeDirectoryType == TransferHomeDirectoryTypes.Logical
        && (user.HomeDirectoryMappings ?? []).SequenceEqual(settings.HomeDirectoryMappings)
        && SamePolicy(user.Policy, settings.Policy);

    private static bool SamePolicy(string? current, string wanted)
    {
        try
        {
            // AWS may give the policy back formatted otherwise; the same JSON is the same policy.
            return current is not null && JsonNode.DeepEquals(JsonNode.Parse(current), JsonNode.Parse(wanted));
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Imports the keys the server lacks, then deletes the ones no longer wanted (and second copies of a key).</summary>
    private async Task<(List<string> Added, List<string> Removed, List<string> Kept)> ReconcileKeysAsync(
        PartnerSftpUser user, IReadOnlyList<TransferSshPublicKey> onServer, CancellationToken cancellationToken)
    {
        var unclaimed = onServer.ToList();
        var added = new List<string>();
        var kept = new List<string>();
        foreach (var key in user.Keys)
        {
            var present = unclaimed.FirstOrDefault(k => SshPublicKey.TryParse(k.SshPublicKeyBody, out var existing, out _) && existing.SameKeyAs(key));
            if (present is not null)
            {
                unclaimed.Remove(present);
                kept.Add(key.Fingerprint);
                continue;
            }

            try
            {
                await client.ImportSshPublicKeyAsync(ServerId, user.UserName, key.Line, cancellationToken);
            }
            catch (TransferResourceExistsException)
            {
                // Imported meanwhile by a put for the same partner.
            }

            added.Add(key.Fingerprint);
        }

        var removed = new List<string>();
        foreach (var key in unclaimed)
        {
            try
            {
                await client.DeleteSshPublicKeyAsync(ServerId, user.UserName, key.SshPublicKeyId, cancellationToken);
            }
            catch (TransferResourceNotFoundException)
            {
                // Deleted meanwhile.
            }

            removed.Add(SshPublicKey.TryParse(key.SshPublicKeyBody, out var parsed, out var refusal) ? parsed.Fingerprint : refusal.Fingerprint ?? key.SshPublicKeyId);
        }

        return (added, removed, kept);
    }
}
