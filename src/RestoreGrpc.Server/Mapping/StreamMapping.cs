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
        header.HasWidth ? header.Width : 0,
        header.HasHeight ? header.Height : 0,
        header.PixelFormat is null || (!header.PixelFormat.HasBitDepth && !header.PixelFormat.HasChannelCount)
            ? null
            : new StreamPixelFormat(
                header.PixelFormat.HasBitDepth ? header.PixelFormat.BitDepth : 8,
                header.PixelFormat.HasChannelCount ? header.PixelFormat.ChannelCount : 3),
        string.IsNullOrEmpty(header.JobId) ? null : header.JobId,
        header.HeldTiles.Distinct().ToList(),
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
                ModelScale = plan.Scale,
                TileSize = plan.Options.TileSize,
                TileMargin = plan.Options.Margin,
                ColumnCount = plan.Columns,
                RowCount = plan.Rows,
                TileCount = plan.Count,
                WindowWidth = plan.WindowWidth,
                WindowHeight = plan.WindowHeight,
                OutputWidth = plan.OutputWidth,
                OutputHeight = plan.OutputHeight,
                InitialCredit = session.InitialCredit,
                PendingTileCount = session.PendingCount,
                ExecutionProvider = ProtoMapping.ToExecutionProvider(session.Job.Model.ExecutionProvider),
                ResumeWindow = Duration.FromTimeSpan(resumeWindow),
                Rebuilt = session.Rebuilt,
            },
        };
    }

    public static RestoreStreamResponse ToProgress(StreamProgressInfo progress) => new()
    {
        Progress = new StreamProgress
        {
            DoneTileCount = progress.TilesDone,
            TileCount = progress.TilesTotal,
            InFlightTileCount = progress.TilesInFlight,
            Stage = progress.Done ? StreamStage.Done : progress.TilesInFlight > 0 ? StreamStage.Inferring : StreamStage.Receiving,
        },
    };

    public static RestoreStreamResponse ToSummary(StreamSummaryInfo summary) => new()
    {
        Summary = new StreamSummary
        {
            JobId = summary.JobId,
            TileCount = summary.TileCount,
            ComputedTileCount = summary.TilesComputed,
            OutputWidth = summary.OutputWidth,
            OutputHeight = summary.OutputHeight,
            PeakJobBytes = summary.PeakJobBytes,
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
