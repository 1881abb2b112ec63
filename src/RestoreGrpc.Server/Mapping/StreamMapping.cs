using Google.Protobuf.WellKnownTypes;
using RestoreGrpc.Contracts.V1;
using RestoreGrpc.Core.Streaming;
using RestoreGrpc.Tiling;

namespace RestoreGrpc.Server.Mapping;

/// <summary>Translates RestoreStream messages to and from the core's streaming types. No logic beyond mapping.</summary>
internal static class StreamMapping
{
    /// <summary>Who a stream belongs to for the per-client cap: its tenant, else its peer's address (without the
    /// port, so one host's connections count together).</summary>
    public static string ClientOf(string tenant, string peer)
    {
        if (tenant.Length > 0)
        {
            return "tenant:" + tenant;
        }

        // "ipv4:127.0.0.1:5000", "ipv6:[::1]:5000", "unix:/path".
        int port = peer.LastIndexOf(':');
        return "peer:" + (port > peer.IndexOf(':') && peer.AsSpan(port + 1).IndexOfAnyExceptInRange('0', '9') < 0 ? peer[..port] : peer);
    }

    public static StreamOpenRequest ToOpenRequest(StreamHeader header, string tenant, string peer) => new(
        ProtoMapping.ToSettings(header.Options) with { Tenant = tenant },
        (int)Math.Min(header.Width, int.MaxValue),
        (int)Math.Min(header.Height, int.MaxValue),
        header.PixelFormat is null || (header.PixelFormat.BitDepth == 0 && header.PixelFormat.Channels == 0)
            ? null
            : new StreamPixelFormat(
                header.PixelFormat.BitDepth == 0 ? 8 : (int)Math.Min(header.PixelFormat.BitDepth, 64),
                header.PixelFormat.Channels == 0 ? 3 : (int)Math.Min(header.PixelFormat.Channels, 64)),
        string.IsNullOrEmpty(header.JobId) ? null : header.JobId,
        header.HeldTiles.Select(i => (int)Math.Min(i, int.MaxValue)).Distinct().ToList(),
        ClientOf(tenant, peer));

    public static RestoreStreamResponse ToPlan(StreamingSession session, TimeSpan resumeWindow)
    {
        TilePlan plan = session.Job.Plan;
        return new RestoreStreamResponse
        {
            Plan = new StreamPlan
            {
                JobId = session.Job.Id,
                Model = session.Job.Model.Descriptor.Name,
                ModelScale = (uint)plan.Scale,
                TileSize = (uint)plan.Options.TileSize,
                TileMargin = (uint)plan.Options.Margin,
                Columns = (uint)plan.Columns,
                Rows = (uint)plan.Rows,
                TileCount = (uint)plan.Count,
                WindowWidth = (uint)plan.WindowWidth,
                WindowHeight = (uint)plan.WindowHeight,
                OutputWidth = (uint)plan.OutputWidth,
                OutputHeight = (uint)plan.OutputHeight,
                InitialCredit = (uint)session.InitialCredit,
                PendingTiles = (uint)session.PendingCount,
                ExecutionProvider = session.Job.Model.ExecutionProvider,
                ResumeWindow = Duration.FromTimeSpan(resumeWindow),
            },
        };
    }

    public static RestoreStreamResponse ToProgress(StreamProgressInfo progress) => new()
    {
        Progress = new StreamProgress
        {
            TilesDone = (uint)progress.TilesDone,
            TilesTotal = (uint)progress.TilesTotal,
            TilesInFlight = (uint)progress.TilesInFlight,
            Stage = progress.Done ? StreamStage.Done : progress.TilesInFlight > 0 ? StreamStage.Inferring : StreamStage.Receiving,
        },
    };

    public static RestoreStreamResponse ToSummary(StreamSummaryInfo summary) => new()
    {
        Summary = new StreamSummary
        {
            JobId = summary.JobId,
            TileCount = (uint)summary.TileCount,
            TilesComputed = (uint)summary.TilesComputed,
            OutputWidth = (uint)summary.OutputWidth,
            OutputHeight = (uint)summary.OutputHeight,
            PeakJobBytes = (ulong)summary.PeakJobBytes,
            Timings = new Contracts.V1.StageTimings
            {
                QueueWait = Duration.FromTimeSpan(summary.Timings.QueueWait),
                Inference = Duration.FromTimeSpan(summary.Timings.Inference),
                Tiling = Duration.FromTimeSpan(summary.Timings.Tiling),
                Total = Duration.FromTimeSpan(summary.Timings.Total),
            },
        },
    };
}
