using System.Net.Sockets;
using Renci.SshNet.Common;
using SftpStatus = Renci.SshNet.Sftp.StatusCode;
using ReportingApi.Delivery.Connector;

namespace ReportingApi.Delivery.Sftp;

/// <summary>
/// Turns what SSH.NET (or the network) threw during an SFTP delivery attempt into a reason for the run's record: one
/// sentence that names the kind of failure (DNS, refused, host key, login, permission, disk full, connection lost,
/// timeout), and whether another attempt can help. Reasons never quote a secret or a secret's reference.
/// </summary>
internal static class SftpFailures
{
    // SFTP status codes of protocol version 5 and later, which some servers send even though version 3 was agreed.
    private const int NoSpaceOnFilesystem = 14;
    private const int QuotaExceeded = 15;

    /// <summary>Less free space than this, after a write failed, means the partner's disk is full.</summary>
    private const ulong FullDiskBytes = 1024 * 1024;

    /// <param name="freeBytes">The remote directory's free space, asked for after a failed write (null when unknown).</param>
    public static DeliveryException Describe(Exception exception, SftpAttempt attempt, SftpDeliveryOptions options, ulong? freeBytes = null)
    {
        var server = attempt.Server;
        var where = attempt.Step switch
        {
            SftpStep.Uploading => $"while uploading {attempt.RemotePath} ({attempt.BytesUploaded} bytes sent)",
            SftpStep.Renaming => $"while renaming {attempt.RemotePath}{RemotePaths.PartSuffix} to {attempt.RemotePath}",
            _ => "during the SSH handshake",
        };

        if (attempt.RefusedHostKey is { } seen)
        {
            return Permanent(
                $"SFTP server {server} presented host key {SshHostKey.FingerprintOf(seen)}, not the pinned {server.HostKey.Fingerprint} ({server.HostKey.Type}): refused, nothing was sent.");
        }

        return (attempt.Step, exception) switch
        {
            (SftpStep.Connecting, SshConnectionException e) when e.Message.StartsWith("No matching host key algorithm", StringComparison.Ordinal) =>
                Permanent($"SFTP server {server} has no {server.HostKey.Type} host key, the type of the pinned key {server.HostKey.Fingerprint}: refused, nothing was sent."),
            (SftpStep.Connecting, SshAuthenticationException) =>
                Permanent($"SFTP server {server} refused the login of user '{server.User}' by {attempt.Login}."),
            (SftpStep.Connecting, SocketException e) => Unreachable(server, e),
            (SftpStep.Connecting, OperationCanceledException or SshOperationTimeoutException) =>
                Transient($"Could not reach SFTP server {server}: no SSH answer within {options.ConnectTimeout.TotalSeconds:0.#} s."),
            (SftpStep.Connecting, SshException e) =>
                Transient($"SFTP server {server} closed the connection during the SSH handshake: {e.Message}"),
            (SftpStep.Uploading, SftpPermissionDeniedException) =>
                Permanent($"SFTP server {server} denied permission to write {attempt.RemotePath}{RemotePaths.PartSuffix}."),
            (SftpStep.Renaming, SftpPermissionDeniedException) =>
                Permanent($"SFTP server {server} denied permission to rename {attempt.RemotePath}{RemotePaths.PartSuffix} to {attempt.RemotePath}."),
            (SftpStep.Uploading, SftpPathNotFoundException) =>
                Permanent($"SFTP server {server} has no directory {Directory(attempt.RemotePath)} to upload to."),
            (SftpStep.Uploading, SftpException e) when IsDiskFull(e, freeBytes) =>
                Transient($"SFTP server {server} has no space left {where}" + (freeBytes is { } free ? $"; {free} bytes free." : ".")),
            (_, SshOperationTimeoutException) =>
                Transient($"SFTP server {server} did not answer for {options.IdleTimeout.TotalSeconds:0.#} s {where}."),
            (_, SshConnectionException or SocketException or IOException or ObjectDisposedException) =>
                Transient($"The connection to SFTP server {server} was lost {where}: {exception.Message}"),
            (_, SftpException e) =>
                Transient($"SFTP server {server} failed {where}: {e.Message} (status {e.StatusCode})."),
            _ => Transient($"SFTP delivery to {server} failed {where}: {exception.Message}"),
        };
    }

    private static DeliveryException Unreachable(SftpServer server, SocketException exception) => exception.SocketErrorCode switch
    {
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain =>
            Transient($"Could not reach SFTP server {server}: the host name does not resolve (DNS: {exception.SocketErrorCode})."),
        SocketError.ConnectionRefused =>
            Transient($"Could not reach SFTP server {server}: connection refused (nothing listens on port {server.Port})."),
        _ => Transient($"Could not reach SFTP server {server}: {exception.Message} ({exception.SocketErrorCode})."),
    };

    private static bool IsDiskFull(SftpException exception, ulong? freeBytes) =>
        (int)exception.StatusCode is NoSpaceOnFilesystem or QuotaExceeded
        || exception.Message.Contains("space", StringComparison.OrdinalIgnoreCase)
        || exception.Message.Contains("quota", StringComparison.OrdinalIgnoreCase)
        || (exception.StatusCode == SftpStatus.Failure && freeBytes < FullDiskBytes);

    private static string Directory(string? remotePath) =>
        remotePath?.LastIndexOf('/') is > 0 and var slash ? remotePath[..slash] : "/";

    private static DeliveryException Permanent(string reason) => new(reason, transient: false);

    private static DeliveryException Transient(string reason) => new(reason, transient: true);
}
