using RestoreGrpc.Core.Models;
using RestoreGrpc.Core.Scheduling;

namespace RestoreGrpc.Core.Tests.Scheduling.Parts;

/// <summary>Items and models for testing the batcher's parts one at a time.</summary>
internal static class SchedulingParts
{
    public static ShapeKey Key(IUpscaleModel? model = null, int edge = 2) => new(model ?? new IdentityModel(), edge, edge);

    public static QueuedItem Item(BatchOwner owner, ShapeKey? key = null, float value = 0)
    {
        key ??= Key();
        float[] input = new float[key.InputLength];
        Array.Fill(input, value);
        return new QueuedItem(key, input, new float[key.OutputLength], owner);
    }

    /// <summary>×1 identity model with optional per-model batching settings.</summary>
    public sealed class IdentityModel(int maxBatch = 0, double? maxQueueDelayMs = null, int scale = 1) : IUpscaleModel
    {
        public ModelDescriptor Descriptor { get; } = new()
        {
            Name = "identity",
            Task = ModelTaskKind.FaceRestoration,
            MaxBatch = maxBatch,
            MaxQueueDelayMs = maxQueueDelayMs,
            Scale = scale,
        };

        public int Scale => Descriptor.Scale;

        public string ExecutionProvider => "test";

        public void Run(Memory<float> input, Memory<float> output, int batch, int height, int width, CancellationToken cancellationToken) =>
            input.Span[..(batch * 3 * height * width)].CopyTo(output.Span);
    }
}
