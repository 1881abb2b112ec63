using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Trace;
using RestoreGrpc.Cli;
using RestoreGrpc.Contracts.Telemetry;
using RestoreGrpc.TestSupport;

namespace RestoreGrpc.IntegrationTests.Telemetry;

/// <summary>
/// <c>restore upscale</c>'s traces through the CLI's own tracing setup and an in-memory exporter: every file, unary or
/// streamed, is a root span with the call's client span under it, and a file that fails marks its root span.
/// </summary>
[Collection(ClientTracingGroup.Name)]
public sealed class CliSpansTests
{
    [Fact]
    public async Task Unary_and_streamed_files_get_root_spans_over_their_client_spans_and_a_failed_file_marks_its_own()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        var spans = new List<Activity>();
        using TracerProvider tracing = Sdk.CreateTracerProviderBuilder().AddRestoreClientTracing().AddInMemoryExporter(spans).Build();
        using var temp = new TempDirectory();
        string small = temp.Combine("small.png");
        string large = temp.Combine("large.png");
        await File.WriteAllBytesAsync(small, SyntheticImages.AlphaGradientPng(40, 32), ct);
        await File.WriteAllBytesAsync(large, SyntheticImages.AlphaGradientPng(96, 64), ct);

        int succeeded;
        int failed;
        await using (LoopbackServer server = await LoopbackServer.StartAsync())
        {
            string address = server.Address.ToString();
            // 0.005 MP: the 40×32 input (0.0013 MP) goes unary, the 96×64 one (0.0061 MP) is streamed.
            succeeded = await RestoreCli.RunAsync(
                ["upscale", small, large, "-o", temp.Combine("out"), "--model", "builtin-lanczos-x4", "--tile", "64", "--stream-above", "0.005", "--server", address],
                TextWriter.Null,
                TextWriter.Null,
                ct);
            failed = await RestoreCli.RunAsync(
                ["upscale", small, "-o", temp.Combine("failed"), "--model", "no-such-model", "--server", address],
                TextWriter.Null,
                TextWriter.Null,
                ct);
        }

        Assert.True(tracing.ForceFlush(10_000));
        Assert.Equal(0, succeeded);
        Assert.Equal(1, failed);
        var roots = spans.Where(s => s.Source.Name == CliTelemetry.SourceName && s.DisplayName == "restore file").ToList();
        Assert.All(roots, root => Assert.Equal(default, root.ParentSpanId));
        Assert.Equal(3, roots.Count);

        Activity ChildCall(Activity root) => Assert.Single(spans, s => s.Kind == ActivityKind.Client && s.ParentSpanId == root.SpanId);
        Activity[] smallRoots = roots.Where(r => Equals(r.GetTagItem("file.path"), small)).ToArray();
        Activity largeRoot = Assert.Single(roots, r => Equals(r.GetTagItem("file.path"), large));

        Activity streamed = ChildCall(largeRoot);
        Assert.Equal("restoregrpc.v1.RestoreService/RestoreStream", streamed.DisplayName);
        Assert.Equal("OK", streamed.GetTagItem(RpcConventions.Status));
        Assert.Equal(ActivityStatusCode.Unset, largeRoot.Status);

        Assert.Equal(2, smallRoots.Length);
        Activity okRoot = Assert.Single(smallRoots, r => r.Status == ActivityStatusCode.Unset);
        Activity unary = ChildCall(okRoot);
        Assert.Equal("restoregrpc.v1.RestoreService/Restore", unary.DisplayName);
        Assert.Equal("OK", unary.GetTagItem(RpcConventions.Status));

        Activity failedRoot = Assert.Single(smallRoots, r => r.Status == ActivityStatusCode.Error);
        Assert.Equal("NOT_FOUND", ChildCall(failedRoot).GetTagItem(RpcConventions.Status));
    }
}
