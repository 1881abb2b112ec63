using Grpc.Core;
using RestoreGrpc.Contracts.V1;
using RestoreGrpc.Core.Models;
using RestoreGrpc.Core.Restoration;
using RestoreGrpc.Server.Mapping;

namespace RestoreGrpc.Server.Services;

/// <summary>restoregrpc.v1.RestoreService: maps each call onto the core. Errors are mapped by
/// <see cref="ErrorMappingInterceptor"/>.</summary>
internal sealed class RestoreGrpcService(RestorationPipeline pipeline, ModelCatalog catalog) : RestoreService.RestoreServiceBase
{
    public override async Task<RestoreResponse> Restore(RestoreRequest request, ServerCallContext context)
    {
        RestoreTask task = request.Options?.Task ?? RestoreTask.Unspecified;
        if (task is not (RestoreTask.Unspecified or RestoreTask.SuperResolution))
        {
            throw new RpcException(new Status(StatusCode.Unimplemented, $"task {task} is not served yet; use RESTORE_TASK_SUPER_RESOLUTION"));
        }

        RestorationResult result = await pipeline.RestoreAsync(
            request.Image.Memory,
            ProtoMapping.ToSettings(request.Options),
            context.CancellationToken).ConfigureAwait(false);
        return ProtoMapping.ToResponse(result);
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
}
