using Grpc.Core;
using Microsoft.Extensions.Options;
using RestoreGrpc.Contracts.V1;
using RestoreGrpc.Core.Faces;
using RestoreGrpc.Core.Memory;
using RestoreGrpc.Core.Models;
using RestoreGrpc.Core.Restoration;
using RestoreGrpc.Server.Hosting;
using RestoreGrpc.Server.Mapping;
using RestoreGrpc.Server.Quotas;
using RestoreGrpc.Server.Security;

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
    CallerTenant tenants,
    TenantQuotas quotas,
    ILogger<RestoreGrpcService> logger) : RestoreService.RestoreServiceBase
{
    public override Task<RestoreResponse> Restore(RestoreRequest request, ServerCallContext context) =>
        RestoreAsync(request.Image, request.Options, request.CalculateSize(), progress: null, context);

    /// <summary>The one restore path of <see cref="Restore"/> and <see cref="RestoreWithProgress"/>: the same
    /// settings, admission, quotas, call limit and core call; only the progress sink differs.</summary>
    private async Task<RestoreResponse> RestoreAsync(
        Google.Protobuf.ByteString image,
        RestoreOptions? options,
        int messageBytes,
        IProgress<RestoreProgressReport>? progress,
        ServerCallContext context)
    {
        string tenant = TenantOf(context);
        QuotaSubject subject = SubjectOf(tenant, context);
        RestoreSettings settings = ProtoMapping.ToSettings(options) with { Tenant = tenant };
        planGuard.Check(settings);
        quotas.CheckModels(subject, settings.Task is RestoreTaskKind.Faces ? null : planGuard.ModelName(settings), settings.Faces?.Restorer, settings.Faces?.Detector);
        using IDisposable share = AdmitImage(subject, image.Memory, settings, context);
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

    /// <summary>The caller's tenant (<see cref="CallerTenant"/>), also set on the call's span.</summary>
    private string TenantOf(ServerCallContext context)
    {
        string tenant = tenants.Of(context);
        System.Diagnostics.Activity.Current?.SetTag(Core.Telemetry.RestoreAttributes.Tenant, tenant);
        return tenant;
    }

    /// <summary>Whose quotas the call counts against (<see cref="TenantQuotas.SubjectOf"/>): the tenant's, or its
    /// API key's own.</summary>
    private QuotaSubject SubjectOf(string tenant, ServerCallContext context) =>
        quotas.SubjectOf(tenant, context.GetHttpContext().User.FindFirst(RestoreClaimTypes.Credential)?.Value);

    /// <summary>Holds the tenant's quotas for a unary call's image until its response has been written. The image's
    /// size is read from its header only when a quota needs it.</summary>
    /// <returns>The tenant's fair share of the server (<see cref="TenantFairShare"/>), for the caller to release when
    /// its work is done: a caller sending one call after another must not find its previous call still counted.</returns>
    /// <exception cref="Core.Errors.QuotaExceededException">A quota refused it.</exception>
    private IDisposable AdmitImage(QuotaSubject subject, ReadOnlyMemory<byte> image, RestoreSettings settings, ServerCallContext context)
    {
        TenantQuota quota = quotas.For(subject);
        long pixels = 0;
        int tiles = 1;
        if (quota.MaxImagePixels > 0 || quota.InputPixelsPerMinute > 0 || quota.MaxQueuedTiles > 0)
        {
            (int width, int height) = Core.Imaging.ImageHeader.Size(image);
            pixels = (long)width * height;
            tiles = planGuard.EstimateTiles(settings, width, height);
        }

        context.GetHttpContext().Response.RegisterForDispose(quotas.AdmitUnary(subject, pixels, tiles, out IDisposable share));
        return share;
    }

    public override async Task<DetectFacesResponse> DetectFaces(DetectFacesRequest request, ServerCallContext context)
    {
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        string tenant = TenantOf(context);
        QuotaSubject subject = SubjectOf(tenant, context);
        FaceSettings detection = ProtoMapping.ToSettings(request);
        // The detector it names is a model like any other on the caller's list (unnamed: the server's default).
        quotas.CheckModels(subject, detection.Detector);
        using IDisposable share = AdmitImage(subject, request.Image.Memory, new RestoreSettings(Task: RestoreTaskKind.Faces, Tenant: tenant), context);
        using var limit = new UnaryCallLimit(CallLimitsOptions.Span(callLimits.Value.MaxUnaryCallSeconds), context.CancellationToken);
        IReadOnlyList<Core.Faces.Detection.DetectedFace> faces;
        Core.Imaging.ImageDescription input;
        string detector;
        try
        {
            (faces, input, detector) = await pipeline.DetectFacesAsync(
                request.Image.Memory,
                detection,
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
        _ = TenantOf(context);
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
        QuotaSubject subject = SubjectOf(TenantOf(context), context);
        var response = new ListModelsResponse { DefaultModel = catalog.DefaultModelName };
        foreach (ModelStatus status in catalog.List())
        {
            ModelInfo info = ProtoMapping.ToProto(status);
            // A caller limited to some models sees those (face detectors included: a named detector is checked too).
            bool allowed = quotas.Allows(subject, status.Descriptor.Name);
            if (allowed && (request.Task == ModelTask.Unspecified || request.Task == info.Task))
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
