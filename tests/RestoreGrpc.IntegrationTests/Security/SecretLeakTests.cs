using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using RestoreGrpc.Contracts.V1;
using RestoreGrpc.Core.Models;
using RestoreGrpc.Server.Security;
using Microsoft.Extensions.DependencyInjection;

namespace RestoreGrpc.IntegrationTests.Security;

/// <summary>Stream job ids (the only credential that resumes a job) never reach a log, at any level or category;
/// callers are never told the server's folders.</summary>
public sealed class SecretLeakTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string[] AllLogging =>
        ["--Logging:LogLevel:Default=Trace", "--Logging:LogLevel:Microsoft=Trace", "--Logging:LogLevel:Microsoft.AspNetCore=Trace", "--Logging:LogLevel:Grpc=Trace"];

    [Fact]
    public async Task A_rejected_and_a_resumed_stream_log_no_job_id()
    {
        var logs = new CapturedLogs();
        await using LoopbackServer server = await LoopbackServer.StartAsync(logs.Configure, AllLogging);
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new RestoreService.RestoreServiceClient(channel);

        // An early half-close: the rejection's description tells the client to resume with its job id.
        string jobId;
        using (var call = client.RestoreStream(cancellationToken: Ct))
        {
            await call.RequestStream.WriteAsync(new RestoreStreamRequest { Header = Header() }, Ct);
            Assert.True(await call.ResponseStream.MoveNext(Ct));
            jobId = call.ResponseStream.Current.Plan.JobId;
            await call.RequestStream.CompleteAsync();
            var error = await Assert.ThrowsAsync<RpcException>(async () =>
            {
                while (await call.ResponseStream.MoveNext(Ct))
                {
                }
            });
            Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
            Assert.DoesNotContain(jobId, error.Status.Detail, StringComparison.Ordinal);
        }

        // A resume claiming a tile the job never sent: another description that names the job.
        using (var call = client.RestoreStream(cancellationToken: Ct))
        {
            await call.RequestStream.WriteAsync(new RestoreStreamRequest { Header = new StreamHeader { JobId = jobId, HeldTiles = { 0 } } }, Ct);
            await call.RequestStream.CompleteAsync();
            var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(Ct));
            Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
            Assert.Contains(Redaction.JobTag(jobId), error.Status.Detail, StringComparison.Ordinal);
        }

        Assert.Contains(logs.Messages, m => m.Contains(Redaction.JobTag(jobId), StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Messages, m => m.Contains(jobId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Model_listings_and_failed_precondition_name_files_not_server_paths()
    {
        var logs = new CapturedLogs();
        await using LoopbackServer server = await LoopbackServer.StartAsync(logs.Configure);
        string folder = server.Services.GetRequiredService<ModelCatalog>().Directory;
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new RestoreService.RestoreServiceClient(channel);

        ListModelsResponse models = await client.ListModelsAsync(new ListModelsRequest(), cancellationToken: Ct);
        ModelInfo missing = Assert.Single(models.Models, m => m.Name == "RealESRGAN_x4plus");
        Assert.Equal(Contracts.V1.ModelState.Missing, missing.State);
        Assert.Contains("RealESRGAN_x4plus.onnx", missing.StateDetail, StringComparison.Ordinal);
        Assert.All(models.Models, m => Assert.DoesNotContain(folder, m.StateDetail, StringComparison.Ordinal));

        var error = await Assert.ThrowsAsync<RpcException>(() => client.RestoreAsync(
            new RestoreRequest { Image = ByteString.CopyFrom(RestoreGrpc.TestSupport.SyntheticImages.RotatedJpeg(16, 8)), Options = new RestoreOptions { Model = "RealESRGAN_x4plus" } },
            cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("RealESRGAN_x4plus.onnx", error.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(folder, error.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(folder, error.GetRpcStatus()?.GetDetail<Google.Rpc.ResourceInfo>()?.Description ?? string.Empty, StringComparison.Ordinal);
        // The operator still finds the full path in the server's log.
        Assert.Contains(logs.Messages, m => m.Contains(folder, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("no file at /srv/models/x.onnx and no download address", "no file at x.onnx and no download address")]
    [InlineData("/a/b/c.onnx; warmed up 1x32x32", "c.onnx; warmed up 1x32x32")]
    [InlineData(@"SHA-256 of C:\models\x.onnx is 00", "SHA-256 of x.onnx is 00")]
    [InlineData("downloading from https://mirror.example/m/x.onnx", "downloading from https://mirror.example/m/x.onnx")]
    [InlineData("I/O binding 1/2", "I/O binding 1/2")]
    public void Absolute_paths_become_file_names_and_nothing_else_changes(string text, string expected) =>
        Assert.Equal(expected, Redaction.HidePaths(text));

    private static StreamHeader Header() => new()
    {
        Options = new RestoreOptions { Model = "builtin-lanczos-x4" },
        Width = 300,
        Height = 200,
        PixelFormat = new PixelFormat { BitDepth = 8, ChannelCount = 3 },
    };
}
