namespace ReportingApi.Inbound;

/// <summary>What an uploaded file's name says: encrypted or not, a checksum beside another file, an upload in progress.</summary>
public static class InboundFileNames
{
    public const string Sha256Extension = ".sha256";
    public const string Md5Extension = ".md5";

    private static readonly string[] EncryptedExtensions = [".pgp", ".gpg", ".asc"];

    // WinSCP and other clients upload under these names, then rename.
    private static readonly string[] InProgressExtensions = [".filepart", ".part"];

    public static bool IsEncrypted(string fileName) =>
        EncryptedExtensions.Any(extension => fileName.EndsWith(extension, StringComparison.OrdinalIgnoreCase));

    /// <summary>Checksum files are read beside the file they name, never processed themselves; nor are uploads still under a temporary name.</summary>
    public static bool IsProcessed(string fileName) =>
        !fileName.EndsWith(Sha256Extension, StringComparison.OrdinalIgnoreCase)
        && !fileName.EndsWith(Md5Extension, StringComparison.OrdinalIgnoreCase)
        && !InProgressExtensions.Any(extension => fileName.EndsWith(extension, StringComparison.OrdinalIgnoreCase));

    /// <summary>The clear file's name: the upload's without its encryption extension.</summary>
    public static string ClearName(string fileName) =>
        IsEncrypted(fileName) && fileName.Length > 4 ? fileName[..^4] : fileName;
}
