using Xunit;

namespace RestoreGrpc.TestSupport;

/// <summary>
/// External programs some tests run for real (Prometheus, the Aspire dashboard as an OTLP receiver). Like
/// <see cref="SharedAssets"/>: when a program is absent the test is skipped with the reason, except under
/// <c>CI=true</c>, where that is a failure (.ci/run installs them).
/// </summary>
public static class RequiredTool
{
    /// <summary>The first existing file among <paramref name="candidates"/> and <paramref name="name"/> on PATH.</summary>
    /// <param name="howToGet">Told in the skip or failure message.</param>
    public static string Find(string name, string howToGet, params string?[] candidates)
    {
        IEnumerable<string?> onPath = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name));
        string? found = candidates.Concat(onPath).FirstOrDefault(path => !string.IsNullOrEmpty(path) && File.Exists(path));
        if (found is not null)
        {
            return found;
        }

        string reason = $"{name} not found ({howToGet})";
        if (SharedAssets.IsCi)
        {
            Assert.Fail($"{reason}. Under CI=true the real receivers must be present.");
        }

        Assert.Skip(reason);
        return string.Empty;
    }
}
