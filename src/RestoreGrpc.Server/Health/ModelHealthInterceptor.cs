using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Health.V1;
using RestoreGrpc.Core.Models;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace RestoreGrpc.Server.Health;

/// <summary>
/// Per-model readiness in grpc.health.v1: <c>Check</c> and <c>Watch</c> for a service named
/// <see cref="HealthServices.ModelPrefix"/> + a catalog name are answered from the catalog (SERVING while a loaded
/// session of the model takes requests, NOT_SERVING otherwise; an unknown model is NOT_FOUND for Check and
/// SERVICE_UNKNOWN for Watch). Models come and go at run time, which the health-check service's fixed name mapping
/// cannot express; every other service name goes on to it.
/// </summary>
internal sealed class ModelHealthInterceptor(ModelCatalog catalog) : Interceptor
{
    private static readonly TimeSpan WatchInterval = TimeSpan.FromMilliseconds(500);

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request,
        ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (ModelNameOf(request) is not { } model)
        {
            return continuation(request, context);
        }

        ServingStatus status = StatusOf(model);
        return status == ServingStatus.ServiceUnknown
            ? throw new RpcException(new Status(StatusCode.NotFound, $"model '{model}' is not in the catalog"))
            : Task.FromResult((TResponse)(object)new HealthCheckResponse { Status = status });
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request,
        IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        if (ModelNameOf(request) is not { } model)
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
            return;
        }

        ServingStatus? sent = null;
        try
        {
            while (!context.CancellationToken.IsCancellationRequested)
            {
                ServingStatus status = StatusOf(model);
                if (status != sent)
                {
                    await responseStream.WriteAsync((TResponse)(object)new HealthCheckResponse { Status = status }).ConfigureAwait(false);
                    sent = status;
                }

                await Task.Delay(WatchInterval, context.CancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
        }
    }

    private static string? ModelNameOf<TRequest>(TRequest request) =>
        request is HealthCheckRequest { Service: { } service } && service.StartsWith(HealthServices.ModelPrefix, StringComparison.Ordinal)
            ? service[HealthServices.ModelPrefix.Length..]
            : null;

    private ServingStatus StatusOf(string model) => catalog.Find(model) switch
    {
        null => ServingStatus.ServiceUnknown,
        { Serving: true } => ServingStatus.Serving,
        _ => ServingStatus.NotServing,
    };
}
