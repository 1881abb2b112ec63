namespace RestoreGrpc.Core.Telemetry;

/// <summary>Attribute (tag) names on spans and metrics. Project-specific names live under <c>restoregrpc.</c>.</summary>
public static class RestoreAttributes
{
    public const string Model = "restoregrpc.model";
    public const string ExecutionProvider = "restoregrpc.execution_provider";
    public const string BatchSize = "restoregrpc.batch.size";
    public const string BatchMaxSize = "restoregrpc.batch.max_size";
    public const string BatchFillRatio = "restoregrpc.batch.fill_ratio";
    public const string BatchRequests = "restoregrpc.batch.requests";
    public const string TileShape = "restoregrpc.tile.shape";
    public const string Tiles = "restoregrpc.tiles";
    public const string QueueWaitSeconds = "restoregrpc.queue.wait";
    public const string Faces = "restoregrpc.faces";
    public const string ImageWidth = "restoregrpc.image.width";
    public const string ImageHeight = "restoregrpc.image.height";
    public const string ImageFormat = "restoregrpc.image.format";

    /// <summary>The caller's tenant (authenticated, or self-declared while authentication is off).</summary>
    public const string Tenant = "restoregrpc.tenant";
}
