using Xunit;

namespace RestoreGrpc.TestSupport;

/// <summary>
/// Finds the read-only <c>shared/</c> folder beside the checkout (real models and images). When it is absent a test
/// that needs it is skipped with the reason, except under <c>CI=true</c>, where that is a failure: CI must never
/// pass by skipping the real-model tests.
/// </summary>
public static class SharedAssets
{
    private static readonly Lazy<string?> Root = new(FindRoot);

    /// <summary>The shared folder, or null when it cannot be found.</summary>
    public static string? Directory => Root.Value;

    /// <summary>Path of a file under <c>shared/models</c>; skips (or fails under CI) when absent.</summary>
    public static string Model(string fileName) => Require(Path.Combine("models", fileName));

    /// <summary>Path of a file under <c>shared/images</c>; skips (or fails under CI) when absent.</summary>
    public static string Image(string fileName) => Require(Path.Combine("images", fileName));

    /// <summary>The <c>shared/models</c> folder; skips (or fails under CI) when absent.</summary>
    public static string ModelsDirectory => Path.GetDirectoryName(Model("realesr-general-x4v3.onnx"))!;

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    private static string Require(string relative)
    {
        string? root = Root.Value;
        string? path = root is null ? null : Path.Combine(root, relative);
        if (path is not null && File.Exists(path))
        {
            return path;
        }

        string reason = root is null
            ? $"shared assets not found (looked for ../shared beside the checkout, or $RESTOREGRPC_SHARED); needed {relative}"
            : $"shared asset missing: {path}";
        if (IsCi)
        {
            Assert.Fail($"{reason}. Under CI=true the real models and images must be present.");
        }

        Assert.Skip(reason);
        return string.Empty;
    }

    private static string? FindRoot()
    {
        string? configured = Environment.GetEnvironmentVariable("RESTOREGRPC_SHARED");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return System.IO.Directory.Exists(configured) ? Path.GetFullPath(configured) : null;
        }

        // shared/ is beside the checkout (the folder holding RestoreGrpc.sln above the test binaries).
        if (Checkout.Find() is not { } checkout)
        {
            return null;
        }

        string candidate = Path.GetFullPath(Path.Combine(checkout, "..", "shared"));
        return System.IO.Directory.Exists(candidate) ? candidate : null;
    }
}
