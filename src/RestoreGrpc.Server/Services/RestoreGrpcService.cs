using Grpc.Core;
using Microsoft.Extensions.Options;
using RestoreGrpc.Contracts.V1;
using RestoreGrpc.Core.Memory;
using RestoreGrpc.Core.Models;
using RestoreGrpc.Core.Restoration;
using RestoreGrpc.Server.Hosting;
using RestoreGrpc.Server.Mapping;

namespace RestoreGrpc.Server.Services;

/// <summary>restoregrpc.v1.RestoreService: maps each call onto the core. Errors are mapped by
/// <see cref="ErrorMappingInterceptor"/>. Unary calls that decode an image hold a <see cref="MemoryReservation"/> from
/// receipt until their response has been written.</summary>
internal sealed partial class RestoreGrpcService(
    RestorationPipeline pipeline,
    ModelCatalog catalog,
    MemoryBudget budget,
    RequestPlanGuard planGuard,
    IOptions<CallLimitsOptions> callLimits,
    ILogger<RestoreGrpcService> logger) : RestoreService.RestoreServiceBase
{
    /// <summary>Call metadata naming the client or tenant, for fair scheduling.</summary>
    public const string TenantHeader = "x-restore-tenant";

    public override Task<RestoreResponse> Restore(RestoreRequest request, ServerCallContext context) =>
        RestoreAsync(request.Image, request.Options, request.CalculateSize(), progress: null, context);

    /// <summary>The one restore path of <see cref="Restore"/> and <see cref="RestoreWithProgress"/>: the same
    /// settings, admission, call limit and core call; only the progress sink differs.</summary>
    private async Task<RestoreResponse> RestoreAsync(
        Google.Protobuf.ByteString image,
        RestoreOptions? options,
        int messageBytes,
        IProgress<RestoreProgressReport>? progress,
        ServerCallContext context)
    {
        RestoreSettings settings = ProtoMapping.ToSettings(options) with { Tenant = TenantOf(context) };
        planGuard.Check(settings);
        using var limit = new UnaryCallLimit(CallLimitsOptions.Span(callLimits.Value.MaxUnaryCallSeconds), context.CancellationToken);
        try
        {
            RestorationResult result = await pipeline.RestoreAsync(
                image.Memory,
                settings,
                Reserve(messageBytes, context),
                progress,
                limit.Token).ConfigureAwait(false);

            // The response wraps the pooled encoded bytes; they go back to the pool once the response has been written.
            context.GetHttpContext().Response.RegisterForDispose(result.Output);
            return ProtoMapping.ToResponse(result);
        }
        catch (OperationCanceledException) when (limit.Expired)
        {
            throw limit.Exceeded();
        }
    }

    /// <summary>Fair scheduling takes turns between tenants: the authenticated caller (a verified client
    /// certificate's subject), else the self-declared name in the call's metadata.</summary>
    private static string TenantOf(ServerCallContext context) =>
        context.GetHttpContext().User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name }
            ? name
            : context.RequestHeaders.GetValue(TenantHeader) ?? string.Empty;

    public override async Task<DetectFacesResponse> DetectFaces(DetectFacesRequest request, ServerCallContext context)
    {
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var limit = new UnaryCallLimit(CallLimitsOptions.Span(callLimits.Value.MaxUnaryCallSeconds), context.CancellationToken);
        IReadOnlyList<Core.Faces.Detection.DetectedFace> faces;
        Core.Imaging.ImageDescription input;
        string detector;
        try
        {
            (faces, input, detector) = await pipeline.DetectFacesAsync(
                request.Image.Memory,
                ProtoMapping.ToSettings(request),
                Reserve(request.CalculateSize(), context),
                limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (limit.Expired)
        {
            throw limit.Exceeded();
        }

        var response = new DetectFacesResponse
        {
            Input = ProtoMapping.ToProto(input),
            Detector = detector,
            Elapsed = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(System.Diagnostics.Stopwatch.GetElapsedTime(started)),
        };
        response.Faces.AddRange(faces.Select(f => ProtoMapping.ToProto(new Core.Faces.FaceReport(f, null, false))));
        return response;
    }

    public override async Task<EstimateRestoreResponse> EstimateRestore(EstimateRestoreRequest request, ServerCallContext context)
    {
        RestoreEstimate estimate = await pipeline.EstimateAsync(
            request.Width,
            request.Height,
            request.HasBitDepth ? request.BitDepth : 8,
            ProtoMapping.ToSettings(request.Options),
            context.CancellationToken).ConfigureAwait(false);
        return ProtoMapping.ToProto(estimate);
    }

    public override Task<ListModelsResponse> ListModels(ListModelsRequest request, ServerCallContext context)
    {
        var response = new ListModelsResponse { DefaultModel = catalog.DefaultModelName };
        foreach (ModelStatus status in catalog.List())
        {
            ModelInfo info = ProtoMapping.ToProto(status);
            if (request.Task == ModelTask.Unspecified || request.Task == info.Task)
            {
                response.Models.Add(info);
            }
        }

        return Task.FromResult(response);
    }

    /// <summary>
    /// Reserves the received message's bytes in the budget (refused at once when they do not fit) for the rest of
    /// the call: the reservation is disposed when the HTTP/2 request ends, after the response's last byte was written,
    /// as the response message wraps the encoded output without a copy.
    /// </summary>
    private MemoryReservation Reserve(int messageBytes, ServerCallContext context)
    {
        MemoryReservation reservation = budget.Admit(messageBytes);
        context.GetHttpContext().Response.RegisterForDispose(reservation);
        return reservation;
    }
}
