using Grpc.Core;
using RestoreGrpc.Contracts.V1;
using RestoreGrpc.Core.Memory;
using RestoreGrpc.Core.Models;
using RestoreGrpc.Core.Restoration;
using RestoreGrpc.Server.Mapping;

namespace RestoreGrpc.Server.Services;

/// <summary>restoregrpc.v1.RestoreService: maps each call onto the core. Errors are mapped by
/// <see cref="ErrorMappingInterceptor"/>. Unary calls that decode an image hold a <see cref="MemoryReservation"/> from
/// receipt until their response has been written.</summary>
internal sealed partial class RestoreGrpcService(RestorationPipeline pipeline, ModelCatalog catalog, MemoryBudget budget) : RestoreService.RestoreServiceBase
{
    /// <summary>Call metadata naming the client or tenant, for fair scheduling.</summary>
    public const string TenantHeader = "x-restore-tenant";

    public override async Task<RestoreResponse> Restore(RestoreRequest request, ServerCallContext context)
    {
        // Fair scheduling takes turns between tenants named in the call's metadata.
        string tenant = context.RequestHeaders.GetValue(TenantHeader) ?? string.Empty;
        RestorationResult result = await pipeline.RestoreAsync(
            request.Image.Memory,
            ProtoMapping.ToSettings(request.Options) with { Tenant = tenant },
            Reserve(request.CalculateSize(), context),
            context.CancellationToken).ConfigureAwait(false);

        // The response wraps the pooled encoded bytes; they go back to the pool once the response has been written.
        context.GetHttpContext().Response.RegisterForDispose(result.Output);
        return ProtoMapping.ToResponse(result);
    }

    public override async Task<DetectFacesResponse> DetectFaces(DetectFacesRequest request, ServerCallContext context)
    {
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        var (faces, input, detector) = await pipeline.DetectFacesAsync(
            request.Image.Memory,
            ProtoMapping.ToSettings(request),
            Reserve(request.CalculateSize(), context),
            context.CancellationToken).ConfigureAwait(false);
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
            (int)Math.Min(request.Width, int.MaxValue),
            (int)Math.Min(request.Height, int.MaxValue),
            (int)Math.Min(request.BitDepth, 64),
            ProtoMapping.ToSettings(request.Options),
            context.CancellationToken).ConfigureAwait(false);
        return ProtoMapping.ToProto(estimate);
    }

    public override Task<ListModelsResponse> ListModels(ListModelsRequest request, ServerCallContext context)
    {
        var response = new ListModelsResponse();
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
