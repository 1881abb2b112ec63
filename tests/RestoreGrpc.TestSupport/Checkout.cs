namespace RestoreGrpc.TestSupport;

/// <summary>The checkout the tests were built from, and the build configuration of the test binaries.</summary>
public static class Checkout
{
    /// <summary>The folder holding <c>RestoreGrpc.sln</c>, found above the test binaries.</summary>
    public static string Root => Find() ?? throw new InvalidOperationException("the checkout (RestoreGrpc.sln) is not above the test binaries");

    /// <summary><c>Release</c> or <c>Debug</c>: the configuration the running tests were built in (bin/&lt;config&gt;/&lt;tfm&gt;/).</summary>
    public static string Configuration { get; } =
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent?.Name ?? "Release";

    /// <summary>A path below the checkout, e.g. <c>src/RestoreGrpc.Server/RestoreGrpc.Server.csproj</c>.</summary>
    public static string Combine(string relativePath) => Path.GetFullPath(Path.Combine(Root, relativePath));

    /// <summary>The checkout's folder, or null when the tests run from binaries outside one.</summary>
    internal static string? Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RestoreGrpc.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
