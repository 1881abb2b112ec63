using System.Security.Cryptography;
using System.Text;

namespace RestoreGrpc.Server.Security;

/// <summary>API keys are kept as SHA-256 digests and compared in constant time, so neither the configuration nor
/// the time an answer takes reveals a key.</summary>
public static class ApiKeyHash
{
    /// <summary>Lower-case hex SHA-256 of the key's UTF-8 bytes (what <c>printf %s "$KEY" | sha256sum</c> prints).</summary>
    public static string Compute(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
    }

    /// <summary>Whether <paramref name="presentedDigest"/> (32 bytes) equals the stored hex digest, in time that does
    /// not depend on where they differ.</summary>
    public static bool Matches(ReadOnlySpan<byte> presentedDigest, string storedHex)
    {
        Span<byte> stored = stackalloc byte[SHA256.HashSizeInBytes];
        if (storedHex is null || storedHex.Length != 2 * SHA256.HashSizeInBytes
            || Convert.FromHexString(storedHex, stored, out _, out int written) != System.Buffers.OperationStatus.Done
            || written != stored.Length)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(presentedDigest, stored);
    }

    /// <summary>The stored entry the presented key matches, comparing against every entry (no early exit), or null.</summary>
    public static ApiKeyEntry? Find(IReadOnlyList<ApiKeyEntry> entries, string presentedKey)
    {
        ArgumentNullException.ThrowIfNull(entries);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(presentedKey ?? string.Empty), digest);
        ApiKeyEntry? found = null;
        foreach (ApiKeyEntry entry in entries)
        {
            if (Matches(digest, entry.Sha256))
            {
                found ??= entry;
            }
        }

        return found;
    }
}
