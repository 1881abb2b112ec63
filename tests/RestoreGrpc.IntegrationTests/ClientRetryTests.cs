using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using RestoreGrpc.Client;
using RestoreGrpc.Server.Hosting;
using RestoreGrpc.TestSupport;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace RestoreGrpc.IntegrationTests;

/// <summary>The SDK retries UNAVAILABLE (a restarting or overloaded server) and gives up after its attempts.</summary>
public sealed class ClientRetryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Unavailable_is_retried_with_the_whole_request_replayed()
    {
        var flaky = new FlakyInterceptor(failures: 2);
        WebApplication app = RestoreServer.Build(
            ["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning", "--Restore:Models:Directory=/nonexistent"],
            builder => builder.Services.AddSingleton(flaky).AddGrpc(grpc => grpc.Interceptors.Add<FlakyInterceptor>()));
        await app.StartAsync(Ct);
        try
        {
            // Over 1 MB: larger than grpc-dotnet's default per-call retry buffer, so the replay relies on the SDK's setting.
            byte[] image = NoisePng(620, 620);
            Assert.True(image.Length > 1024 * 1024, $"{image.Length} bytes");
            var options = new RestoreOptions { Scale = 0.25 };

            using var noRetries = new RestoreClient(new RestoreClientOptions { Address = app.ListeningAddress(), MaxAttempts = 1 });
            var error = await Assert.ThrowsAsync<RpcException>(() => noRetries.RestoreAsync(image, options, Ct));
            Assert.Equal(StatusCode.Unavailable, error.StatusCode);

            flaky.Reset(failures: 2);
            using var retrying = new RestoreClient(new RestoreClientOptions { Address = app.ListeningAddress(), MaxAttempts = 3, InitialBackoff = TimeSpan.FromMilliseconds(20) });
            RestoreResult result = await retrying.RestoreAsync(image, options, Ct);
            Assert.Equal(155, result.Output.Width);
            Assert.Equal(3, flaky.Calls);

            flaky.Reset(failures: 5);
            error = await Assert.ThrowsAsync<RpcException>(() => retrying.RestoreAsync(image, options, Ct));
            Assert.Equal(StatusCode.Unavailable, error.StatusCode);
            Assert.Equal(3, flaky.Calls);
        }
        finally
        {
            await app.StopAsync(Ct);
            await app.DisposeAsync();
        }
    }

    private static byte[] NoisePng(int width, int height)
    {
        var random = new Random(7);
        using var image = new Image<Rgb24>(width, height);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                image[x, y] = new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
            }
        }

        return SyntheticImages.Png(image, PngColorType.Rgb, PngBitDepth.Bit8);
    }

    /// <summary>Answers UNAVAILABLE to the first N calls.</summary>
    private sealed class FlakyInterceptor(int failures) : Interceptor
    {
        private int _failures = failures;
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public void Reset(int failures)
        {
            Volatile.Write(ref _failures, failures);
            Volatile.Write(ref _calls, 0);
        }

        public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
        {
            int call = Interlocked.Increment(ref _calls);
            return call <= Volatile.Read(ref _failures)
                ? throw new RpcException(new Status(StatusCode.Unavailable, $"flaky call {call}"))
                : continuation(request, context);
        }
    }
}
