using Google.Protobuf;
using Onnx;
using RestoreGrpc.Core.Models.Precision;
using RestoreGrpc.TestSupport;

namespace RestoreGrpc.Core.Tests.Models.Precision;

/// <summary>Float16 copies are made once per source content, beside the source or in the fallback folder.</summary>
public sealed class Fp16ModelCacheTests
{
    private const string Model = "realesr-animevideov3-x4.onnx";

    /// <summary>The file's SHA-256 as published in shared/models/MODELS.md.</summary>
    private const string PublishedSha256 = "3fcb4a570383b20c7db1169f7298655f5e89f3c349032f0f4237596a8009ed6b";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_copy_is_written_beside_the_model_named_by_its_hash_and_reused_without_rewriting()
    {
        using var folder = new TempModelFolder();
        string source = folder.Copy(Model);
        using var fallback = new TempDirectory();
        var cache = new Fp16ModelCache(fallback.Path);

        Fp16CachedModel first = await cache.GetOrCreateAsync(source, Ct);

        Assert.Equal(Path.Combine(folder.Path, "realesr-animevideov3-x4.fp16-" + PublishedSha256[..16] + ".onnx"), first.Path);
        Assert.False(first.Reused);
        Assert.NotNull(first.Report);
        Assert.Empty(Directory.GetFiles(fallback.Path));
        Assert.Empty(Directory.GetFiles(folder.Path, "*.tmp"));
        long fp32Bytes = new FileInfo(source).Length;
        long fp16Bytes = new FileInfo(first.Path).Length;
        TestContext.Current.TestOutputHelper?.WriteLine($"{Model}: fp32 {fp32Bytes} bytes, fp16 {fp16Bytes} bytes, converted in {first.ConversionTime.TotalMilliseconds:F0} ms");
        Assert.InRange(fp16Bytes, fp32Bytes * 45 / 100, fp32Bytes * 55 / 100);

        var marked = new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(first.Path, marked);
        Fp16CachedModel second = await cache.GetOrCreateAsync(source, Ct);

        Assert.Equal(first.Path, second.Path);
        Assert.True(second.Reused);
        Assert.Null(second.Report);
        Assert.Equal(marked, File.GetLastWriteTimeUtc(second.Path));
    }

    [Fact]
    public async Task A_changed_source_gets_a_new_copy_under_a_new_name()
    {
        using var folder = new TempModelFolder();
        string source = folder.Copy(Model);
        var cache = new Fp16ModelCache(null);
        Fp16CachedModel before = await cache.GetOrCreateAsync(source, Ct);

        ModelProto changed = ModelProto.Parser.ParseFrom(File.ReadAllBytes(source));
        changed.DocString = "a new version";
        File.WriteAllBytes(source, changed.ToByteArray());
        Fp16CachedModel after = await cache.GetOrCreateAsync(source, Ct);

        Assert.False(after.Reused);
        Assert.NotEqual(before.Path, after.Path);
        Assert.Equal(Fp16ModelCache.CachedFileName(source, TempModelFolder.Sha256(source)), Path.GetFileName(after.Path));
        Assert.Equal("a new version", ModelProto.Parser.ParseFrom(File.ReadAllBytes(after.Path)).DocString);
    }

    [Fact]
    public async Task A_read_only_model_folder_sends_the_copy_to_the_fallback_folder()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("Unix permission bits");
            return;
        }

        using var folder = new TempModelFolder();
        string source = folder.Copy(Model);
        using var fallback = new TempDirectory();
        var cache = new Fp16ModelCache(Path.Combine(fallback.Path, "cache"));
        UnixFileMode mode = File.GetUnixFileMode(folder.Path);
        File.SetUnixFileMode(folder.Path, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        try
        {
            Fp16CachedModel copy = await cache.GetOrCreateAsync(source, Ct);
            Assert.Equal(Path.Combine(fallback.Path, "cache", Fp16ModelCache.CachedFileName(source, PublishedSha256)), copy.Path);
            Assert.Equal([source], Directory.GetFiles(folder.Path));
            Assert.True((await cache.GetOrCreateAsync(source, Ct)).Reused);
        }
        finally
        {
            File.SetUnixFileMode(folder.Path, mode);
        }
    }

    [Fact]
    public async Task A_copy_from_another_converter_version_is_converted_again()
    {
        using var folder = new TempModelFolder();
        string source = folder.Copy(Model);
        var cache = new Fp16ModelCache(null);
        Fp16CachedModel first = await cache.GetOrCreateAsync(source, Ct);
        ModelProto stale = ModelProto.Parser.ParseFrom(File.ReadAllBytes(first.Path));
        stale.MetadataProps.Single(p => p.Key == Fp16Conversion.MetadataKey).Value = "0";
        File.WriteAllBytes(first.Path, stale.ToByteArray());

        Fp16CachedModel again = await cache.GetOrCreateAsync(source, Ct);

        Assert.False(again.Reused);
        Assert.Equal(first.Path, again.Path);
        Assert.Contains(ModelProto.Parser.ParseFrom(File.ReadAllBytes(again.Path)).MetadataProps, p => p.Key == Fp16Conversion.MetadataKey && p.Value == Fp16Conversion.ConverterVersion);
    }
}
