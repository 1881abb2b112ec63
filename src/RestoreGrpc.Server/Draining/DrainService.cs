using Grpc.HealthCheck;
using Microsoft.Extensions.Options;
using RestoreGrpc.Server.Health;
using RestoreGrpc.Server.Hosting;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace RestoreGrpc.Server.Draining;

/// <summary>
/// Drains the server when the host stops (SIGTERM, Ctrl+C): in <see cref="StoppingAsync"/>, which the host runs before
/// any hosted service's StopAsync and so before Kestrel stops listening. Without it Kestrel would stop accepting
/// connections, send GOAWAY and wait for running requests up to the shutdown timeout, then abort them: a long stream
/// would be cut without a status, and health would say SERVING until the end.
/// </summary>
internal sealed partial class DrainService(ServerDrain drain, IOptions<RestoreServerOptions> options, IServiceProvider services, ILogger<DrainService> logger)
    : IHostedLifecycleService
{
    /// <summary>How long streams get, after the grace period, to send their resumable endings.</summary>
    public static readonly TimeSpan EndingTime = TimeSpan.FromSeconds(3);

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        TimeSpan grace = TimeSpan.FromSeconds(options.Value.DrainSeconds);
        LogDraining(logger, drain.InFlight, grace.TotalSeconds);
        Task draining = drain.DrainAsync(grace, EndingTime, cancellationToken);
        // Check runs the health checks (DrainHealthCheck now fails); Watch streams get the change now rather than at the
        // next health-check publication.
        if (services.GetService<HealthServiceImpl>() is { } health)
        {
            health.SetStatus(HealthServices.Liveness, ServingStatus.NotServing);
            health.SetStatus(HealthServices.Readiness, ServingStatus.NotServing);
        }

        await draining.ConfigureAwait(false);
        LogDrained(logger, drain.InFlight);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 4201, Level = LogLevel.Information, Message = "Draining: health NOT_SERVING, new calls refused with UNAVAILABLE; {InFlight} calls running, {Seconds} s to finish")]
    private static partial void LogDraining(ILogger logger, int inFlight, double seconds);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Information, Message = "Drained: {InFlight} calls still running (streams past the grace period were ended resumably)")]
    private static partial void LogDrained(ILogger logger, int inFlight);
}
