using RestoreGrpc.Contracts.V1;
using RestoreGrpc.Core.Restoration;

namespace RestoreGrpc.Server.Mapping;

/// <summary>Core progress reports as restoregrpc.v1.RestoreProgress.</summary>
internal static class ProgressMapping
{
    public static RestoreProgress ToProto(RestoreProgressReport report, TimeSpan elapsed) => new()
    {
        Stage = ToProto(report.Stage),
        DoneTileCount = report.DoneTiles,
        TileCount = report.Tiles,
        DoneFaceCount = report.DoneFaces,
        FaceCount = report.Faces,
        Elapsed = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(elapsed),
    };

    public static RestoreStage ToProto(RestoreStageKind stage) => stage switch
    {
        RestoreStageKind.Queued => RestoreStage.Queued,
        RestoreStageKind.Decoding => RestoreStage.Decoding,
        RestoreStageKind.DetectingFaces => RestoreStage.DetectingFaces,
        RestoreStageKind.Upscaling => RestoreStage.Upscaling,
        RestoreStageKind.RestoringFaces => RestoreStage.RestoringFaces,
        RestoreStageKind.Encoding => RestoreStage.Encoding,
        _ => RestoreStage.Unspecified,
    };
}
