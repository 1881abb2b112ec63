using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace RestoreGrpc.Server.Security;

/// <summary>
/// Keeps secrets and server internals out of logs and out of what callers are told: stream job ids (the only
/// credential that resumes a job) become a short non-secret hash, <c>job#1a2b3c4d</c> (the first 8 hex digits of the
/// id's SHA-256, so a log line can be matched to a job by whoever holds the id), and absolute server paths become
/// their file name.
/// </summary>
internal static partial class Redaction
{
    /// <summary>The non-secret tag of a job id in logs and messages.</summary>
    public static string JobTag(string jobId) =>
        "job#" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(jobId)))[..8];

    /// <summary>Replaces every job id (32 lowercase hex digits, the registry's form) with its tag.</summary>
    public static string HideJobIds(string text) => JobId().Replace(text, m => JobTag(m.Value));

    /// <summary>Replaces every absolute path (Unix or Windows) with its last segment.</summary>
    public static string HidePaths(string text) => AbsolutePath().Replace(text, m =>
    {
        string path = m.Value.TrimEnd('.', ')');
        string tail = m.Value[path.Length..];
        string name = path.Replace('\\', '/').TrimEnd('/');
        int slash = name.LastIndexOf('/');
        return (slash >= 0 ? name[(slash + 1)..] : name) + tail;
    });

    /// <summary>Both: for any text that leaves the server towards a caller or a log.</summary>
    public static string Hide(string text) => HidePaths(HideJobIds(text));

    [GeneratedRegex("(?<![0-9A-Za-z])[0-9a-f]{32}(?![0-9A-Za-z])", RegexOptions.CultureInvariant)]
    private static partial Regex JobId();

    // A path: "/" or "C:\" not preceded by a word character, ':' , '/', '.' (so URLs, "I/O" and "1/2" stay).
    [GeneratedRegex(@"(?<![\w:/.\\])(?:/|[A-Za-z]:\\)[^\s'""`,;]+", RegexOptions.CultureInvariant)]
    private static partial Regex AbsolutePath();
}
