using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Grpc.Core;
using RestoreGrpc.Contracts.V1;

namespace RestoreGrpc.Cli.Tests;

/// <summary>
/// An in-memory stand-in for a RestoreGrpc server, plugged in as the client's HTTP handler: it answers gRPC
/// frames directly, so command runs need no network. Restore echoes the input image and reports a 10×5 input.
/// </summary>
internal sealed class FakeRestoreServer : HttpMessageHandler
{
    public const int InputWidth = 10;
    public const int InputHeight = 5;

    public List<ModelInfo> Models { get; } = [];

    public ConcurrentQueue<RestoreRequest> Requests { get; } = new();

    /// <summary>Decides per request whether to fail, and how.</summary>
    public Func<RestoreRequest, Status?> Fail { get; set; } = _ => null;

    /// <summary>Runs before a Restore is answered (e.g. to block until cancelled).</summary>
    public Func<RestoreRequest, CancellationToken, Task> BeforeRestore { get; set; } = (_, _) => Task.CompletedTask;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        byte[] body = await request.Content!.ReadAsByteArrayAsync(cancellationToken);
        ReadOnlySpan<byte> payload = body.AsSpan(5);
        string method = request.RequestUri!.AbsolutePath;

        if (method.EndsWith("/ListModels", StringComparison.Ordinal))
        {
            return Reply(new ListModelsResponse { Models = { Models } });
        }

        if (!method.EndsWith("/Restore", StringComparison.Ordinal))
        {
            return Error(new Status(StatusCode.Unimplemented, method));
        }

        RestoreRequest restore = RestoreRequest.Parser.ParseFrom(payload);
        Requests.Enqueue(restore);
        await BeforeRestore(restore, cancellationToken);
        if (Fail(restore) is { } status)
        {
            return Error(status);
        }

        var options = restore.Options ?? new RestoreGrpc.Contracts.V1.RestoreOptions();
        double scale = options.Scale > 0 ? options.Scale : 4;
        return Reply(new RestoreResponse
        {
            Image = restore.Image,
            Output = new ImageInfo
            {
                Width = (int)(InputWidth * scale),
                Height = (int)(InputHeight * scale),
                Format = options.Output?.Format is { } f and not ImageFormat.Unspecified ? f : ImageFormat.Png,
            },
            Details = new RestoreDetails
            {
                Model = string.IsNullOrEmpty(options.Model) ? "fake-default" : options.Model,
                ModelScale = 4,
                Scale = scale,
                Input = new ImageInfo { Width = InputWidth, Height = InputHeight, Format = ImageFormat.Png },
            },
        });
    }

    private static HttpResponseMessage Reply(IMessage message)
    {
        byte[] payload = message.ToByteArray();
        byte[] frame = new byte[5 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame.AsSpan(5));
        var response = new HttpResponseMessage(HttpStatusCode.OK)
        {
            Version = HttpVersion.Version20,
            Content = new ByteArrayContent(frame),
        };
        response.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        response.TrailingHeaders.Add("grpc-status", "0");
        return response;
    }

    private static HttpResponseMessage Error(Status status)
    {
        // Trailers-only response: the status travels in the headers.
        var response = new HttpResponseMessage(HttpStatusCode.OK)
        {
            Version = HttpVersion.Version20,
            Content = new ByteArrayContent([]),
        };
        response.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        response.Headers.Add("grpc-status", ((int)status.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
        response.Headers.Add("grpc-message", status.Detail);
        return response;
    }
}
