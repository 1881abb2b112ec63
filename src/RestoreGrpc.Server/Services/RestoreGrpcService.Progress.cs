using System.Diagnostics;
using Grpc.Core;
using RestoreGrpc.Contracts.V1;

namespace RestoreGrpc.Server.Services;

internal sealed partial class RestoreGrpcService
{
    /// <summary>restoregrpc.v1.RestoreService/RestoreWithProgress: exactly the <see cref="Restore"/> path with a
    /// progress sink; throttled progress events stream while it runs, then the same response Restore returns. Works
    /// over gRPC-Web (server streaming), for the web page.</summary>
    public override async Task RestoreWithProgress(
        RestoreWithProgressRequest request,
        IServerStreamWriter<RestoreWithProgressResponse> responseStream,
        ServerCallContext context)
    {
        var progress = new ThrottledProgressEvents(Stopwatch.GetTimestamp());
        Task events = WriteEventsAsync(progress, responseStream, context.CancellationToken);
        RestoreResponse result;
        try
        {
            result = await RestoreAsync(request.Image, request.Options, request.CalculateSize(), progress, context).ConfigureAwait(false);
        }
        catch
        {
            // The restore's error is the call's status; a failed event write (the client went away) adds nothing.
            progress.Complete();
            await events.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }

        progress.Complete();
        await events.ConfigureAwait(false);
        await responseStream.WriteAsync(new RestoreWithProgressResponse { Result = result }, context.CancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteEventsAsync(
        ThrottledProgressEvents progress,
        IServerStreamWriter<RestoreWithProgressResponse> responseStream,
        CancellationToken cancellationToken)
    {
        await foreach (RestoreProgress update in progress.Events.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            await responseStream.WriteAsync(new RestoreWithProgressResponse { Progress = update }, cancellationToken).ConfigureAwait(false);
        }
    }
}
