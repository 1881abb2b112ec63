using Grpc.Core;
using RestoreGrpc.Contracts.V1;
using RestoreGrpc.Core.Models;
using RestoreGrpc.Server.Mapping;

namespace RestoreGrpc.Server.Services;

/// <summary>
/// restoregrpc.v1.ModelAdminService: live model management over the catalog. Mapped as its own service so that an
/// authorization policy (the admin role) can be required of it alone. Failures to load are answered with the
/// model's state (FAILED and the reason), not as an error: the call itself did what was asked.
/// </summary>
internal sealed class ModelAdminGrpcService(ModelCatalog catalog) : ModelAdminService.ModelAdminServiceBase
{
    public override async Task<LoadModelResponse> LoadModel(LoadModelRequest request, ServerCallContext context)
    {
        ModelStatus status = request.NewModel is { } added
            ? await catalog.AddAsync(NewModelMapping.ToDescriptor(added), context.CancellationToken).ConfigureAwait(false)
            : await catalog.LoadAsync(request.Name, context.CancellationToken).ConfigureAwait(false);
        return new LoadModelResponse { Model = ProtoMapping.ToProto(status) };
    }

    public override async Task<UnloadModelResponse> UnloadModel(UnloadModelRequest request, ServerCallContext context) =>
        new() { Model = ProtoMapping.ToProto(await catalog.UnloadAsync(request.Name, context.CancellationToken).ConfigureAwait(false)) };

    public override async Task<ReloadModelResponse> ReloadModel(ReloadModelRequest request, ServerCallContext context) =>
        new() { Model = ProtoMapping.ToProto(await catalog.ReloadAsync(request.Name, context.CancellationToken).ConfigureAwait(false)) };

    public override Task<SetDefaultModelResponse> SetDefaultModel(SetDefaultModelRequest request, ServerCallContext context) =>
        Task.FromResult(new SetDefaultModelResponse { DefaultModel = catalog.SetDefaultModel(request.Name) });
}
