using System.Diagnostics;
using System.Security.Cryptography;
using Google.Protobuf;
using Onnx;

namespace RestoreGrpc.Core.Models.Precision;

/// <summary>
/// Float16 copies of model files, converted once: <c>&lt;name&gt;.fp16-&lt;first 16 hex digits of the source's
/// SHA-256&gt;.onnx</c> beside the source, or in <see cref="FallbackDirectory"/> when the source's folder is not
/// writable (no write permission bits, or writing fails). A copy whose name matches the source's hash (and whose
/// converter version is this one) is reused; a changed source hashes to a new name. Files are written to a temporary
/// name and renamed into place, so a reader never sees half a file and concurrent converters agree.
/// </summary>
internal sealed class Fp16ModelCache
{
    /// <param name="fallbackDirectory">Where copies go when the source's folder is not writable; null or empty:
    /// <c>restoregrpc-fp16</c> under the system temp folder.</param>
    public Fp16ModelCache(string? fallbackDirectory)
    {
        FallbackDirectory = string.IsNullOrWhiteSpace(fallbackDirectory)
            ? Path.Combine(Path.GetTempPath(), "restoregrpc-fp16")
            : Path.GetFullPath(fallbackDirectory);
    }

    public string FallbackDirectory { get; }

    /// <summary>The cached file name of a source whose SHA-256 (hex) is <paramref name="sha256"/>.</summary>
    public static string CachedFileName(string sourcePath, string sha256) =>
        $"{Path.GetFileNameWithoutExtension(sourcePath)}.fp16-{sha256[..16].ToLowerInvariant()}.onnx";

    /// <summary>The float16 copy of <paramref name="sourcePath"/>, converted now unless a valid one is cached.</summary>
    /// <exception cref="NotSupportedException">The graph cannot be converted (see <see cref="Fp16Conversion"/>).</exception>
    public async Task<Fp16CachedModel> GetOrCreateAsync(string sourcePath, CancellationToken cancellationToken)
    {
        string sha256 = await ModelDownloader.HashFileAsync(sourcePath, cancellationToken).ConfigureAwait(false);
        string fileName = CachedFileName(sourcePath, sha256);
        string beside = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(sourcePath))!, fileName);
        string fallback = Path.Combine(FallbackDirectory, fileName);
        foreach (string candidate in new[] { beside, fallback })
        {
            if (IsCurrent(candidate))
            {
                return new Fp16CachedModel(candidate, Reused: true, TimeSpan.Zero, null);
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        var watch = Stopwatch.StartNew();
        ModelProto model = ModelProto.Parser.ParseFrom(await File.ReadAllBytesAsync(sourcePath, cancellationToken).ConfigureAwait(false));
        Fp16ConversionReport report = Fp16Conversion.Convert(model);
        byte[] bytes = model.ToByteArray();
        TimeSpan elapsed = watch.Elapsed;
        string written = IsWritableFolder(Path.GetDirectoryName(beside)!) && TryWriteAtomically(beside, bytes)
            ? beside
            : WriteToFallback(fallback, bytes);
        return new Fp16CachedModel(written, Reused: false, elapsed, report);
    }

    /// <summary>A cached copy exists and was made by this converter version.</summary>
    private static bool IsCurrent(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        try
        {
            ModelProto cached = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
            return cached.MetadataProps.Any(p => p.Key == Fp16Conversion.MetadataKey && p.Value == Fp16Conversion.ConverterVersion);
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>A folder nobody may write to (a read-only model share) counts as not writable even for root, who could.</summary>
    private static bool IsWritableFolder(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return true;
        }

        const UnixFileMode anyWrite = UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;
        return (File.GetUnixFileMode(directory) & anyWrite) != 0;
    }

    private static string WriteToFallback(string path, byte[] bytes)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (!TryWriteAtomically(path, bytes))
        {
            throw new IOException($"cannot write the float16 model copy beside its source nor to {path}");
        }

        return path;
    }

    /// <summary>Writes a temporary file beside <paramref name="path"/> and renames it into place.</summary>
    private static bool TryWriteAtomically(string path, byte[] bytes)
    {
        string temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            File.WriteAllBytes(temporary, bytes);
            File.Move(temporary, path, overwrite: true);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try
            {
                File.Delete(temporary);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
                // Nothing was written, or the folder refuses deletes too.
            }

            return false;
        }
    }
}
