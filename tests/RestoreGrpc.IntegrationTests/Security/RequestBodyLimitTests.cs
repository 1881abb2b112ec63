using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using RestoreGrpc.Client;
using RestoreGrpc.Contracts.V1;
using RestoreGrpc.TestSupport;

namespace RestoreGrpc.IntegrationTests.Security;

/// <summary>Kestrel's request body limit is aligned with gRPC's MaxReceiveMessageBytes (64 MiB): unary requests
/// between Kestrel's old default (30,000,000 bytes) and that limit are served, and beyond it the status is gRPC's
/// RESOURCE_EXHAUSTED, never UNKNOWN.</summary>
public sealed class RequestBodyLimitTests(ServerFixture fixture) : IClassFixture<ServerFixture>, IDisposable
{
    private const int MaxMessage = 64 * 1024 * 1024;

    private readonly GrpcChannel _channel = GrpcChannel.ForAddress(
        fixture.Server.Address,
        new GrpcChannelOptions { MaxSendMessageSize = null, MaxReceiveMessageSize = null });

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _channel.Dispose();

    [Fact]
    public async Task A_valid_31_MB_png_is_restored()
    {
        byte[] png = SyntheticImages.LargePng(31_000_000);
        var response = await new RestoreService.RestoreServiceClient(_channel).RestoreAsync(
            new RestoreRequest { Image = ByteString.CopyFrom(png), Options = new Contracts.V1.RestoreOptions { Model = "builtin-lanczos-x4" } },
            cancellationToken: Ct);
        Assert.Equal(128, response.Output.Width);
    }

    [Fact]
    public async Task A_message_of_exactly_the_limit_reaches_the_service_and_one_byte_more_is_resource_exhausted()
    {
        var client = new RestoreService.RestoreServiceClient(_channel);
        // 1 tag byte + 4 length bytes + the image: a message of exactly MaxReceiveMessageBytes.
        var atLimit = new RestoreRequest { Image = ByteString.CopyFrom(new byte[MaxMessage - 5]) };
        Assert.Equal(MaxMessage, atLimit.CalculateSize());
        var rejected = await Assert.ThrowsAsync<RpcException>(() => client.RestoreAsync(atLimit, cancellationToken: Ct).ResponseAsync);
        Assert.True(rejected.StatusCode == StatusCode.InvalidArgument, $"at the limit: {rejected.Status}");
        Assert.Equal("image", Assert.Single(rejected.FieldViolations()).Field);

        var overLimit = new RestoreRequest { Image = ByteString.CopyFrom(new byte[MaxMessage - 4]) };
        var exhausted = await Assert.ThrowsAsync<RpcException>(() => client.RestoreAsync(overLimit, cancellationToken: Ct).ResponseAsync);
        Assert.True(exhausted.StatusCode == StatusCode.ResourceExhausted, $"one byte over: {exhausted.Status}");

        var models = await client.ListModelsAsync(new ListModelsRequest(), cancellationToken: Ct);
        Assert.NotEmpty(models.Models);
    }
}
