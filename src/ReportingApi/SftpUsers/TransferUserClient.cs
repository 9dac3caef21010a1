using System.Text.Json.Serialization;
using Amazon.Runtime;
using Microsoft.Extensions.Options;
using ReportingApi.Aws;
using ReportingApi.Aws.Transfer;

namespace ReportingApi.SftpUsers;

/// <summary>
/// The AWS Transfer Family operations on the users of a server with service-managed identities, through
/// <see cref="TransferApi"/> (SigV4-signed JSON 1.1; throttling and unavailability retried). Errors are AWS's, typed:
/// <see cref="TransferResourceNotFoundException"/> (no such server, user or key), <see cref="TransferResourceExistsException"/>
/// (CreateUser of an existing name, ImportSshPublicKey of a key the user has), <see cref="TransferValidationException"/>
/// (InvalidRequestException: e.g. a key body AWS does not take), <see cref="TransferAccessDeniedException"/>, and the
/// retryable ones once retries are spent.
/// </summary>
public sealed class TransferUserClient : IDisposable
{
    private readonly TransferApi _api;

    /// <summary>Uses the default AWS credential chain.</summary>
    public TransferUserClient(IOptions<TransferOptions> options, ILogger<TransferUserClient> logger)
        : this(options.Value, new DefaultChainCredentials(), logger)
    {
    }

    /// <param name="credentials">Credentials to sign with; asked for on every request, so refreshing credentials work.</param>
    /// <param name="transport">The handler below the signer (tests); by default a pooled <see cref="SocketsHttpHandler"/>.</param>
    public TransferUserClient(TransferOptions options, AWSCredentials credentials, ILogger<TransferUserClient> logger, HttpMessageHandler? transport = null) =>
        _api = new TransferApi(options, credentials, logger, transport);

    /// <summary>Creates a user with logical home directories, a role and a session policy, and no key yet.</summary>
    public Task CreateUserAsync(string serverId, TransferUserSettings settings, CancellationToken cancellationToken) =>
        _api.InvokeAsync(
            "CreateUser",
            UserRequest.From(serverId, settings),
            TransferUserJsonContext.Default.UserRequest,
            TransferUserJsonContext.Default.TransferUserIdentity,
            cancellationToken);

    /// <summary>Sets the user's role, home directories and session policy.</summary>
    public Task UpdateUserAsync(string serverId, TransferUserSettings settings, CancellationToken cancellationToken) =>
        _api.InvokeAsync(
            "UpdateUser",
            UserRequest.From(serverId, settings),
            TransferUserJsonContext.Default.UserRequest,
            TransferUserJsonContext.Default.TransferUserIdentity,
            cancellationToken);

    /// <summary>The user with its keys, or null when there is none of that name (or no such server: see the catch).</summary>
    public async Task<DescribedTransferUser?> DescribeUserAsync(string serverId, string userName, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _api.InvokeAsync(
                "DescribeUser",
                new TransferUserIdentity(serverId, userName),
                TransferUserJsonContext.Default.TransferUserIdentity,
                TransferUserJsonContext.Default.DescribeUserResponse,
                cancellationToken);
            return response.User ?? throw TransferApi.InvalidResponse("DescribeUser", "User");
        }
        catch (TransferResourceNotFoundException)
        {
            // No such user, or no such server: then the CreateUser that follows fails with the server's ResourceNotFoundException.
            return null;
        }
    }

    /// <summary>Adds a key (<c>type base64 [comment]</c>) to the user; returns its id (<c>key-...</c>).</summary>
    public async Task<string> ImportSshPublicKeyAsync(string serverId, string userName, string publicKey, CancellationToken cancellationToken)
    {
        var response = await _api.InvokeAsync(
            "ImportSshPublicKey",
            new ImportSshPublicKeyRequest(serverId, userName, publicKey),
            TransferUserJsonContext.Default.ImportSshPublicKeyRequest,
            TransferUserJsonContext.Default.ImportSshPublicKeyResponse,
            cancellationToken);
        return TransferApi.Require(response.SshPublicKeyId, "ImportSshPublicKey", "SshPublicKeyId");
    }

    public Task DeleteSshPublicKeyAsync(string serverId, string userName, string sshPublicKeyId, CancellationToken cancellationToken) =>
        _api.InvokeAsync(
            "DeleteSshPublicKey",
            new DeleteSshPublicKeyRequest(serverId, userName, sshPublicKeyId),
            TransferUserJsonContext.Default.DeleteSshPublicKeyRequest,
            TransferUserJsonContext.Default.EmptyResponse,
            cancellationToken);

    public void Dispose() => _api.Dispose();
}

/// <summary>The <c>HomeDirectoryType</c> values.</summary>
public static class TransferHomeDirectoryTypes
{
    /// <summary>The user sees only the <c>HomeDirectoryMappings</c> entries, each mapped to a bucket path.</summary>
    public const string Logical = "LOGICAL";
}

/// <summary>One entry of a user's logical home: <c>Entry</c> (what the user sees, e.g. <c>/inbound</c>) is <c>Target</c> (<c>/bucket/prefix</c>).</summary>
public sealed record HomeDirectoryMapEntry(string Entry, string Target, string? Type = null)
{
    public const string DirectoryType = "DIRECTORY";
}

/// <summary>What CreateUser and UpdateUser set: the user's IAM role, logical home and session policy (JSON).</summary>
public sealed record TransferUserSettings(string UserName, string Role, IReadOnlyList<HomeDirectoryMapEntry> HomeDirectoryMappings, string Policy);

/// <summary>One of a user's keys on the server (AWS <c>SshPublicKey</c>; <c>DateImported</c> is not read).</summary>
public sealed record TransferSshPublicKey(string SshPublicKeyId, string SshPublicKeyBody);

/// <summary>The parts of AWS <c>DescribedUser</c> this service uses.</summary>
public sealed record DescribedTransferUser(
    string? Arn,
    string UserName,
    string? Role,
    string? HomeDirectoryType,
    IReadOnlyList<HomeDirectoryMapEntry>? HomeDirectoryMappings,
    string? Policy,
    IReadOnlyList<TransferSshPublicKey>? SshPublicKeys);

/// <summary>The request of CreateUser and of UpdateUser: the same members.</summary>
internal sealed record UserRequest(
    string ServerId, string UserName, string Role, string HomeDirectoryType, IReadOnlyList<HomeDirectoryMapEntry> HomeDirectoryMappings, string Policy)
{
    public static UserRequest From(string serverId, TransferUserSettings settings) =>
        new(serverId, settings.UserName, settings.Role, TransferHomeDirectoryTypes.Logical, settings.HomeDirectoryMappings, settings.Policy);
}

/// <summary>The request of DescribeUser and the answer of CreateUser and UpdateUser.</summary>
internal sealed record TransferUserIdentity(string? ServerId, string? UserName);

internal sealed record DescribeUserResponse(string? ServerId, DescribedTransferUser? User);

internal sealed record ImportSshPublicKeyRequest(string ServerId, string UserName, string SshPublicKeyBody);

internal sealed record ImportSshPublicKeyResponse(string? ServerId, string? SshPublicKeyId, string? UserName);

internal sealed record DeleteSshPublicKeyRequest(string ServerId, string UserName, string SshPublicKeyId);

/// <summary>An answer whose members are not read.</summary>
internal sealed record EmptyResponse;

/// <summary>Request and response bodies use AWS's PascalCase member names as declared; absent members are not sent.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(UserRequest))]
[JsonSerializable(typeof(TransferUserIdentity))]
[JsonSerializable(typeof(DescribeUserResponse))]
[JsonSerializable(typeof(ImportSshPublicKeyRequest))]
[JsonSerializable(typeof(ImportSshPublicKeyResponse))]
[JsonSerializable(typeof(DeleteSshPublicKeyRequest))]
[JsonSerializable(typeof(EmptyResponse))]
internal sealed partial class TransferUserJsonContext : JsonSerializerContext;
