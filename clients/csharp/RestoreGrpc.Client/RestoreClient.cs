using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Configuration;
using RestoreGrpc.Client.Balancing;
using RestoreGrpc.Client.Security;
using RestoreGrpc.Client.Streaming;
using RestoreGrpc.Contracts.V1;
using ProtoRestoreOptions = RestoreGrpc.Contracts.V1.RestoreOptions;

namespace RestoreGrpc.Client;

/// <summary>
/// Client for a RestoreGrpc server. Thread-safe; create one per server and reuse it (it owns an HTTP/2
/// connection). Calls retry on UNAVAILABLE with exponential back-off and honour deadlines and cancellation.
/// Failures surface as <see cref="RpcException"/>; <see cref="RestoreErrors"/> reads their details. Each call
/// is traced by Grpc.Net.Client's own client span, unary or streamed, and carries the W3C trace context
/// (<see cref="RestoreClientTracing"/>).
/// </summary>
public sealed partial class RestoreClient : IDisposable
{
    private readonly GrpcChannel? _ownedChannel;
    private readonly RestoreService.RestoreServiceClient _client;
    private readonly ModelAdminService.ModelAdminServiceClient _admin;
    private readonly TimeSpan? _defaultTimeout;
    private readonly StreamReconnectPolicy _reconnects = new(new RestoreClientOptions());

    /// <summary>Rounds of the channel's retries a Restore gets (1: the channel's alone); more on a balanced channel.</summary>
    private readonly int _restoreRounds = 1;

    private readonly TimeSpan _roundBackoff = TimeSpan.Zero;

    public RestoreClient(string address)
        : this(new RestoreClientOptions { Address = new Uri(address) })
    {
    }

    public RestoreClient(RestoreClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _ownedChannel = GrpcChannel.ForAddress(FleetChannel.TargetOf(options), CreateChannelOptions(options));
        _client = new RestoreService.RestoreServiceClient(_ownedChannel);
        _admin = new ModelAdminService.ModelAdminServiceClient(_ownedChannel);
        _defaultTimeout = options.DefaultTimeout;
        _reconnects = new StreamReconnectPolicy(options);
        if (FleetChannel.IsBalanced(options) && options.MaxAttempts > 1)
        {
            // gRPC caps a retry policy at 5 attempts, and right after an instance dies the balancer still picks it
            // until its connection check notices, so every attempt of one call can land there. Restore is idempotent:
            // a few more rounds make a crash cost latency, not a failed call.
            _restoreRounds = FleetChannel.RestoreRounds;
            _roundBackoff = options.InitialBackoff;
        }
    }

    /// <summary>Uses a channel the caller owns (and disposes).</summary>
    public RestoreClient(ChannelBase channel, TimeSpan? defaultTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(channel);
        _client = new RestoreService.RestoreServiceClient(channel);
        _admin = new ModelAdminService.ModelAdminServiceClient(channel);
        _defaultTimeout = defaultTimeout;
    }

    /// <summary>
    /// The channel settings this SDK uses: message limits, the UNAVAILABLE retry policy (and Restore hedging when asked
    /// for), round-robin balancing for <c>dns:///</c> or several addresses, TLS trust and client
    /// certificate, and call credentials (API key, bearer token). Throws <see cref="ArgumentException"/> for settings
    /// that do not fit together (e.g. a key over plaintext without <see cref="RestoreClientOptions.AllowInsecureCredentials"/>)
    /// and <see cref="CertificateLoadException"/> for unreadable certificate files.
    /// </summary>
    public static GrpcChannelOptions CreateChannelOptions(RestoreClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var channelOptions = new GrpcChannelOptions
        {
            MaxReceiveMessageSize = options.MaxReceiveMessageBytes,
            MaxSendMessageSize = options.MaxSendMessageBytes,
            // A request is replayed on retry, so it must stay buffered: allow whole images.
            MaxRetryBufferPerCallSize = options.MaxSendMessageBytes,
            MaxRetryBufferSize = 2L * options.MaxSendMessageBytes,
            HttpHandler = options.HttpHandler,
            DisposeHttpClient = true,
        };
        ChannelSecurity.Apply(options, channelOptions);

        var serviceConfig = new ServiceConfig();
        if (options.MaxAttempts > 1)
        {
            if (options.RestoreHedgingDelay is { } hedgingDelay)
            {
                // Restore is idempotent (same input, same output, nothing stored): copies on several instances are safe.
                serviceConfig.MethodConfigs.Add(new MethodConfig
                {
                    Names = { new MethodName { Service = RestoreService.Descriptor.FullName, Method = "Restore" } },
                    HedgingPolicy = new HedgingPolicy
                    {
                        MaxAttempts = options.MaxAttempts,
                        HedgingDelay = hedgingDelay,
                        NonFatalStatusCodes = { StatusCode.Unavailable },
                    },
                });
            }

            serviceConfig.MethodConfigs.Add(new MethodConfig
            {
                Names = { MethodName.Default },
                RetryPolicy = new RetryPolicy
                {
                    MaxAttempts = options.MaxAttempts,
                    InitialBackoff = options.InitialBackoff,
                    MaxBackoff = options.MaxBackoff,
                    BackoffMultiplier = 2,
                    RetryableStatusCodes = { StatusCode.Unavailable },
                },
            });
        }

        FleetChannel.Configure(channelOptions, serviceConfig, options);
        if (serviceConfig.MethodConfigs.Count > 0 || serviceConfig.LoadBalancingConfigs.Count > 0)
        {
            channelOptions.ServiceConfig = serviceConfig;
        }

        return channelOptions;
    }

    /// <summary>Restores an encoded image held in memory.</summary>
    public async Task<RestoreResult> RestoreAsync(
        ReadOnlyMemory<byte> image,
        RestoreOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var request = new RestoreRequest
        {
            Image = UnsafeByteOperations.UnsafeWrap(image),
            Options = ToProto(options ?? new RestoreOptions()),
        };
        DateTime? deadline = DeadlineFor(options);
        for (int round = 1; ; round++)
        {
            try
            {
                RestoreResponse response = await _client.RestoreAsync(request, deadline: deadline, cancellationToken: cancellationToken).ConfigureAwait(false);
                return new RestoreResult(response);
            }
            catch (RpcException e) when (IsInstanceLoss(e) && round < _restoreRounds && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(_roundBackoff * round, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The instance went away: UNAVAILABLE, or a connection lost mid-call, which grpc-dotnet reports as
    /// INTERNAL ("Error starting gRPC call") with the transport's exception. Restore is idempotent, so another instance
    /// may run it again.</summary>
    private static bool IsInstanceLoss(RpcException e) =>
        e.StatusCode == StatusCode.Unavailable
        || (e.StatusCode == StatusCode.Internal && e.Status.DebugException is HttpRequestException or IOException);

    /// <summary>Restores an encoded image read from a stream.</summary>
    public async Task<RestoreResult> RestoreAsync(
        Stream image,
        RestoreOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        using var buffer = new MemoryStream();
        await image.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return await RestoreAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), options, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Restores an image file and, when <paramref name="outputPath"/> is given, writes the result there.</summary>
    public async Task<RestoreResult> RestoreFileAsync(
        string inputPath,
        string? outputPath = null,
        RestoreOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        byte[] input = await File.ReadAllBytesAsync(inputPath, cancellationToken).ConfigureAwait(false);
        RestoreResult result = await RestoreAsync(input, options, cancellationToken).ConfigureAwait(false);
        if (outputPath is not null)
        {
            string? directory = Path.GetDirectoryName(Path.GetFullPath(outputPath));
            if (directory is not null)
            {
                Directory.CreateDirectory(directory);
            }

            await using var file = new FileStream(outputPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            await file.WriteAsync(result.Image, cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    /// <summary>The server's model catalog: every model, and the one a request that names none gets.</summary>
    public async Task<ListModelsResponse> ListModelsAsync(CancellationToken cancellationToken = default) =>
        await _client.ListModelsAsync(
            new ListModelsRequest(),
            deadline: _defaultTimeout is { } t ? DateTime.UtcNow + t : null,
            cancellationToken: cancellationToken).ConfigureAwait(false);

    public void Dispose() => _ownedChannel?.Dispose();

    private DateTime? DeadlineFor(RestoreOptions? options) =>
        (options?.Timeout ?? _defaultTimeout) is { } timeout ? DateTime.UtcNow + timeout : null;

    internal static ProtoRestoreOptions ToProto(RestoreOptions options)
    {
        var proto = new ProtoRestoreOptions
        {
            Model = options.Model ?? string.Empty,
            Tiling = new TileOptions(),
            Output = new OutputOptions
            {
                Format = options.Format?.ToProto() ?? ImageFormat.Unspecified,
                StripMetadata = options.StripMetadata,
                Lossless = options.Lossless,
                Background = options.Background ?? string.Empty,
            },
            Task = options.Mode switch
            {
                RestoreMode.SuperResolution => RestoreTask.SuperResolution,
                RestoreMode.Faces => RestoreTask.Faces,
                RestoreMode.FacesAndBackground => RestoreTask.FacesAndBackground,
                RestoreMode.Auto => RestoreTask.Auto,
                _ => RestoreTask.Unspecified,
            },
            Priority = options.Priority switch
            {
                RestorePriority.Batch => Priority.Batch,
                RestorePriority.Interactive => Priority.Interactive,
                _ => Priority.Unspecified,
            },
        };
        if (options.Scale is { } scale)
        {
            proto.Scale = scale;
        }

        if (options.TileSize is { } tileSize)
        {
            proto.Tiling.TileSize = tileSize;
        }

        if (options.TileMargin is { } tileMargin)
        {
            proto.Tiling.TileMargin = tileMargin;
        }

        if (options.Quality is { } quality)
        {
            proto.Output.Quality = quality;
        }

        if (options.FaceBlend is not null || options.ColorFidelity)
        {
            proto.Faces = new FaceOptions { ColorFidelity = options.ColorFidelity };
            if (options.FaceBlend is { } blend)
            {
                proto.Faces.Blend = (float)blend;
            }
        }

        return proto;
    }
}
