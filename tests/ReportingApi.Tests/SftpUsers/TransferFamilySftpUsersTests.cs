using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ReportingApi.SftpUsers;
using ReportingApi.Storage;
using ReportingApi.TestSupport;
using ReportingApi.TestSupport.Aws;
using ReportingApi.Aws.Transfer;

namespace ReportingApi.Tests.SftpUsers;

/// <summary>
/// Partner users on a Transfer Family server in moto (with what moto lacks of the user API added as AWS behaves:
/// moto_transfer_users.py), called with the credentials of the function's role (<see cref="MotoServer.AppCredentials"/>),
/// so every call is also checked against the IAM actions serverless.template grants.
/// </summary>
public sealed class TransferFamilySftpUsersTests(GeneratedSshKeys generated) : IClassFixture<GeneratedSshKeys>, IAsyncLifetime
{
    private const string UserRoleArn = "arn:aws:iam::123456789012:role/reportingapi-sftp-users";
    private static int _nextPartnerId = 700;

    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private MotoServer _moto = null!;
    private string _serverId = "";

    public async Task InitializeAsync()
    {
        _moto = await MotoServer.SharedAsync();
        _serverId = await _moto.CreateTransferServerAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_new_partner_gets_a_user_with_a_logical_home_the_user_role_a_session_policy_of_its_own_prefixes_and_its_keys()
    {
        var partnerId = NextPartnerId();
        var keys = Keys("ed25519", "rsa-4096");

        var change = await Users().PutAsync(new PartnerSftpUser(partnerId, keys), default);

        Assert.Equal(($"partner-{partnerId}", true, false), (change.UserName, change.Created, change.HomeUpdated));
        Assert.Equal(keys.Select(k => k.Fingerprint), change.KeysAdded);
        Assert.Empty(change.KeysRemoved);
        Assert.Empty(change.KeysKept);
        var user = await DescribeAsync(partnerId);
        Assert.Equal(UserRoleArn, user.Role);
        Assert.Equal(TransferHomeDirectoryTypes.Logical, user.HomeDirectoryType);
        Assert.Equal(
            [
                new HomeDirectoryMapEntry("/inbound", $"/{MotoServer.BucketName}/partners/{partnerId}/inbound", "DIRECTORY"),
                new HomeDirectoryMapEntry("/reports", $"/{MotoServer.BucketName}/partners/{partnerId}/outbound", "DIRECTORY"),
            ],
            user.HomeDirectoryMappings);
        Assert.Equal(keys.Select(k => k.Line).Order(), user.SshPublicKeys!.Select(k => k.SshPublicKeyBody).Order());
        Assert.All(user.SshPublicKeys!, key => Assert.Matches("^key-[0-9a-f]{17}$", key.SshPublicKeyId));

        var statements = JsonNode.Parse(user.Policy!)!["Statement"]!.AsArray();
        var bucket = $"arn:aws:s3:::{MotoServer.BucketName}";
        var list = Statement(statements, "ListOwnFolders");
        Assert.Equal(("s3:ListBucket", bucket), ((string?)list["Action"], (string?)list["Resource"]));
        Assert.Equal(
            [$"partners/{partnerId}/inbound", $"partners/{partnerId}/inbound/*", $"partners/{partnerId}/outbound", $"partners/{partnerId}/outbound/*"],
            Strings(list["Condition"]!["StringLike"]!["s3:prefix"]));
        var write = Statement(statements, "WriteInbound");
        Assert.Equal(["s3:DeleteObject", "s3:GetObject", "s3:PutObject"], Strings(write["Action"]).Order());
        Assert.Equal($"{bucket}/partners/{partnerId}/inbound/*", (string?)write["Resource"]);
        var read = Statement(statements, "ReadReports");
        Assert.Equal(["s3:GetObject"], Strings(read["Action"]));
        Assert.Equal($"{bucket}/partners/{partnerId}/outbound/*", (string?)read["Resource"]);
        var key = Statement(statements, "BucketKey");
        Assert.Equal(_moto.KmsKeyArn, (string?)key["Resource"]);
        Assert.Equal(4, statements.Count);
        Assert.DoesNotContain($"partners/{partnerId + 1}/", user.Policy!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Putting_the_same_user_again_only_describes_it_and_changes_nothing()
    {
        var partnerId = NextPartnerId();
        var user = new PartnerSftpUser(partnerId, Keys("ecdsa-384", "ed25519"));
        await Users().PutAsync(user, default);
        var before = await DescribeAsync(partnerId);
        _requests.Clear();

        var change = await Users().PutAsync(user, default);

        Assert.False(change.Changed);
        Assert.Equal(user.Keys.Select(k => k.Fingerprint), change.KeysKept);
        Assert.Equal(["TransferService.DescribeUser"], _requests.Select(r => r.Header("X-Amz-Target")));
        var after = await DescribeAsync(partnerId);
        Assert.Equal(before.SshPublicKeys, after.SshPublicKeys);
        Assert.Equal(before.Policy, after.Policy);
    }

    [Fact]
    public async Task A_key_rotation_imports_the_new_key_before_it_deletes_the_old_one()
    {
        var partnerId = NextPartnerId();
        var (old, kept, added) = (Key("rsa-3072"), Key("ecdsa-256"), Key("ed25519-other"));
        await Users().PutAsync(new PartnerSftpUser(partnerId, [old, kept]), default);
        _requests.Clear();

        var change = await Users().PutAsync(new PartnerSftpUser(partnerId, [kept, added]), default);

        Assert.Equal([added.Fingerprint], change.KeysAdded);
        Assert.Equal([old.Fingerprint], change.KeysRemoved);
        Assert.Equal([kept.Fingerprint], change.KeysKept);
        Assert.False(change.HomeUpdated);
        Assert.Equal(
            ["TransferService.DescribeUser", "TransferService.ImportSshPublicKey", "TransferService.DeleteSshPublicKey"],
            _requests.Select(r => r.Header("X-Amz-Target")));
        var user = await DescribeAsync(partnerId);
        Assert.Equal(new[] { kept.Line, added.Line }.Order(), user.SshPublicKeys!.Select(k => k.SshPublicKeyBody).Order());
    }

    [Fact]
    public async Task A_user_whose_role_home_or_policy_differ_is_updated_and_keys_that_are_not_wanted_are_removed()
    {
        var partnerId = NextPartnerId();
        var userName = PartnerSftpUser.UserNameOf(partnerId);
        using (var admin = Client(_moto.AdminCredentials))
        {
            // As someone might have made it by hand: another role, a home of the whole bucket, no policy, an RSA-2048 key.
            await admin.CreateUserAsync(
                _serverId,
                new TransferUserSettings(userName, UserRoleArn + "-old", [new HomeDirectoryMapEntry("/", $"/{MotoServer.BucketName}")], "{}"),
                default);
            await admin.ImportSshPublicKeyAsync(_serverId, userName, generated.Keys["rsa-2048"].PublicKeyLine, default);
        }

        Assert.False(SshPublicKey.TryParse(generated.Keys["rsa-2048"].PublicKeyLine, out _, out var weak));

        var wanted = Key("ed25519");
        var change = await Users().PutAsync(new PartnerSftpUser(partnerId, [wanted]), default);

        Assert.False(change.Created);
        Assert.True(change.HomeUpdated);
        Assert.Equal([wanted.Fingerprint], change.KeysAdded);
        Assert.Equal([weak.Fingerprint!], change.KeysRemoved);
        var user = await DescribeAsync(partnerId);
        var expected = Users().SettingsOf(new PartnerSftpUser(partnerId, [wanted]));
        Assert.Equal(expected.Role, user.Role);
        Assert.Equal(expected.HomeDirectoryMappings, user.HomeDirectoryMappings);
        Assert.Equal(expected.Policy, user.Policy);
        Assert.Equal([wanted.Line], user.SshPublicKeys!.Select(k => k.SshPublicKeyBody));
    }

    [Fact]
    public async Task Two_puts_of_a_new_partner_at_once_end_with_one_user_and_each_key_once()
    {
        var partnerId = NextPartnerId();
        var user = new PartnerSftpUser(partnerId, Keys("ed25519", "ecdsa-521", "rsa-3072"));

        var changes = await Task.WhenAll(Users().PutAsync(user, default), Users().PutAsync(user, default));

        Assert.All(changes, change => Assert.Equal(user.UserName, change.UserName));
        var described = await DescribeAsync(partnerId);
        Assert.Equal(user.Keys.Select(k => k.Line).Order(), described.SshPublicKeys!.Select(k => k.SshPublicKeyBody).Order());
        var again = await Users().PutAsync(user, default);
        Assert.False(again.Changed);
    }

    [Fact]
    public async Task DescribeUser_of_a_user_that_does_not_exist_is_null()
    {
        using var client = Client(_moto.AppCredentials);

        Assert.Null(await client.DescribeUserAsync(_serverId, "partner-nobody", default));
    }

    [Fact]
    public async Task A_put_to_a_server_that_does_not_exist_is_not_found()
    {
        var error = await Assert.ThrowsAsync<TransferResourceNotFoundException>(
            () => Users(serverId: "s-00000000000000000").PutAsync(new PartnerSftpUser(NextPartnerId(), Keys("ed25519")), default));

        Assert.Equal("ResourceNotFoundException", error.ErrorType);
        Assert.Equal(400, error.StatusCode);
        Assert.False(error.IsRetryable);
    }

    [Fact]
    public async Task The_API_s_own_errors_come_back_as_their_types_and_are_not_retried()
    {
        var partnerId = NextPartnerId();
        var user = new PartnerSftpUser(partnerId, Keys("ed25519"));
        await Users().PutAsync(user, default);
        using var client = Client(_moto.AppCredentials);
        var settings = Users().SettingsOf(user);
        _requests.Clear();

        var exists = await Assert.ThrowsAsync<TransferResourceExistsException>(() => client.CreateUserAsync(_serverId, settings, default));
        var keyExists = await Assert.ThrowsAsync<TransferResourceExistsException>(() => client.ImportSshPublicKeyAsync(_serverId, user.UserName, user.Keys[0].Line, default));
        var invalidKey = await Assert.ThrowsAsync<TransferValidationException>(
            () => client.ImportSshPublicKeyAsync(_serverId, user.UserName, generated.Keys["dsa"].PublicKeyLine, default));
        var noKey = await Assert.ThrowsAsync<TransferResourceNotFoundException>(
            () => client.DeleteSshPublicKeyAsync(_serverId, user.UserName, "key-00000000000000000", default));
        var noUser = await Assert.ThrowsAsync<TransferResourceNotFoundException>(
            () => client.ImportSshPublicKeyAsync(_serverId, "partner-nobody", user.Keys[0].Line, default));
        var refusedByModel = await Assert.ThrowsAsync<TransferValidationException>(
            () => client.UpdateUserAsync(_serverId, settings with { UserName = "x" }, default));

        Assert.Equal(
            ["ResourceExistsException", "ResourceExistsException", "InvalidRequestException", "ResourceNotFoundException", "ResourceNotFoundException", "ValidationException"],
            new TransferServiceException[] { exists, keyExists, invalidKey, noKey, noUser, refusedByModel }.Select(e => e.ErrorType));
        Assert.Contains("UserName", refusedByModel.Message, StringComparison.Ordinal);
        Assert.Equal(6, _requests.Count);
    }

    [Fact]
    public async Task Credentials_without_the_role_s_permissions_are_refused()
    {
        using var client = Client(_moto.OutsiderCredentials);

        var error = await Assert.ThrowsAsync<TransferAccessDeniedException>(() => client.DescribeUserAsync(_serverId, "partner-1", default));

        // moto names IAM's refusal AccessDenied (AWS's JSON services: AccessDeniedException); both are the same exception.
        Assert.Equal("AccessDenied", error.ErrorType);
        Assert.Contains("transfer:DescribeUser", error.Message, StringComparison.Ordinal);
        Assert.False(error.IsRetryable);
    }

    private TransferFamilySftpUsers Users(string? serverId = null) => new(
        Client(_moto.AppCredentials),
        Options.Create(new SftpUsersOptions
        {
            Provider = SftpServerProvider.TransferFamily,
            TransferFamily = new TransferFamilyUsersOptions { ServerId = serverId ?? _serverId, UserRoleArn = UserRoleArn },
        }),
        Options.Create(new ObjectStoreOptions
        {
            Provider = ObjectStoreProvider.S3,
            S3 = new S3StoreOptions { BucketName = MotoServer.BucketName, KmsKeyId = _moto.KmsKeyArn },
        }),
        NullLogger<TransferFamilySftpUsers>.Instance);

    private TransferUserClient Client(AWSCredentials credentials) => new(
        new TransferOptions { Region = MotoServer.Region, ServiceUrl = _moto.ServiceUrl, MaxAttempts = 3, RetryBaseDelay = TimeSpan.FromMilliseconds(1) },
        credentials,
        NullLogger<TransferUserClient>.Instance,
        new RecordingHandler(_moto.CreateTransport(), _requests));

    private async Task<DescribedTransferUser> DescribeAsync(int partnerId)
    {
        using var admin = Client(_moto.AdminCredentials);
        return await admin.DescribeUserAsync(_serverId, PartnerSftpUser.UserNameOf(partnerId), default)
            ?? throw new InvalidOperationException($"No user for partner {partnerId}.");
    }

    private SshPublicKey Key(string name)
    {
        var validation = SshKeyValidation.Of([generated.Keys[name].PublicKeyLine]);
        Assert.True(validation.IsValid);
        return validation.Keys[0];
    }

    private List<SshPublicKey> Keys(params string[] names) => [.. names.Select(Key)];

    private static int NextPartnerId() => Interlocked.Increment(ref _nextPartnerId);

    private static JsonNode Statement(JsonArray statements, string sid) => Assert.Single(statements, s => (string?)s!["Sid"] == sid)!;

    private static List<string> Strings(JsonNode? node) => node is JsonArray array ? [.. array.Select(item => (string)item!)] : [(string)node!];
}
