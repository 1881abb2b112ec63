namespace RestoreGrpc.Core.Telemetry;

/// <summary>Span names of the restoration stages, children of the gRPC server span (low cardinality, stable).</summary>
public static class RestoreStages
{
    public const string Decode = "restore.decode";
    public const string Plan = "restore.plan";
    public const string Upscale = "restore.upscale";
    public const string QueueWait = "restore.queue_wait";
    public const string BatchInference = "restore.batch_inference";
    public const string Assemble = "restore.assemble";
    public const string Resize = "restore.resize";
    public const string FaceDetect = "restore.face_detect";
    public const string FaceAlign = "restore.face_align";
    public const string FaceRestore = "restore.face_restore";
    public const string FacePaste = "restore.face_paste";
    public const string Encode = "restore.encode";
}
