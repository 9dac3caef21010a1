using Renci.SshNet;

namespace ReportingApi.Delivery.Sftp;

/// <summary>What a delivery attempt is doing.</summary>
internal enum SftpStep
{
    Connecting,
    Uploading,
    Renaming,
}

/// <summary>
/// How far one delivery attempt got (step, file, bytes sent, the host key the server showed), so that a failure can be
/// told in a sentence: which step, which file, how much of it.
/// </summary>
internal sealed class SftpAttempt(SftpServer server, string login) : IProgress<UploadFileProgressReport>
{
    private long _bytesUploaded;

    public SftpServer Server => server;

    /// <summary>How the attempt logs in ("private key", "password").</summary>
    public string Login => login;

    public SftpStep Step { get; private set; } = SftpStep.Connecting;

    /// <summary>The remote path being uploaded or renamed.</summary>
    public string? RemotePath { get; private set; }

    public long BytesUploaded => Interlocked.Read(ref _bytesUploaded);

    /// <summary>The host key the server showed, when it was not the pinned one.</summary>
    public byte[]? RefusedHostKey { get; private set; }

    /// <summary>Whether to try <c>posix-rename@openssh.com</c>; false once the server has refused it.</summary>
    public bool PosixRename { get; set; } = true;

    public void HostKeyPresented(byte[] hostKey, bool trusted) => RefusedHostKey = trusted ? null : hostKey;

    public void Upload(string remotePath)
    {
        Step = SftpStep.Uploading;
        RemotePath = remotePath;
        Interlocked.Exchange(ref _bytesUploaded, 0);
    }

    public void Rename(string remotePath)
    {
        Step = SftpStep.Renaming;
        RemotePath = remotePath;
    }

    // SSH.NET reports the bytes the server has confirmed, from its own threads.
    void IProgress<UploadFileProgressReport>.Report(UploadFileProgressReport value) =>
        Interlocked.Exchange(ref _bytesUploaded, (long)value.TotalBytesUploaded);
}
