using System.Security.Cryptography;

namespace RestoreGrpc.TestSupport;

/// <summary>
/// A writable model folder in the temp directory holding copies of shared models, for tests that change model files
/// under a running catalog (a new version, a truncated file). Deleted on dispose.
/// </summary>
public sealed class TempModelFolder : IDisposable
{
    private readonly TempDirectory _directory = new();

    public string Path => _directory.Path;

    /// <summary>Copies <c>shared/models/<paramref name="sharedModel"/></c> here (skips when absent), writable.</summary>
    /// <returns>The copy's full path.</returns>
    public string Copy(string sharedModel, string? asName = null)
    {
        string target = System.IO.Path.Combine(Path, asName ?? sharedModel);
        File.Copy(SharedAssets.Model(sharedModel), target, overwrite: true);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }

        return target;
    }

    /// <summary>Cuts a file here to <paramref name="length"/> bytes (a corrupt model).</summary>
    public void Truncate(string name, long length)
    {
        using FileStream file = File.OpenWrite(System.IO.Path.Combine(Path, name));
        file.SetLength(length);
    }

    /// <summary>Lower-case hex SHA-256 of a file.</summary>
    public static string Sha256(string path)
    {
        using FileStream file = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(file));
    }

    public void Dispose() => _directory.Dispose();
}
