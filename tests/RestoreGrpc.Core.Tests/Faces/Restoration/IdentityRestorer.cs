using RestoreGrpc.Core.Models;

namespace RestoreGrpc.Core.Tests.Faces.Restoration;

/// <summary>A face "restorer" that returns its input: isolates alignment, warping, masking and paste-back.</summary>
internal sealed class IdentityRestorer(int size) : IUpscaleModel
{
    public ModelDescriptor Descriptor { get; } = new()
    {
        Name = "identity",
        Task = ModelTaskKind.FaceRestoration,
        FixedSize = size,
        InputRange = InputRange.MinusOneToOne,
    };

    public int Scale => 1;

    public string ExecutionProvider => "test";

    public int Runs { get; private set; }

    public void Run(Memory<float> input, Memory<float> output, int batch, int height, int width, CancellationToken cancellationToken)
    {
        Runs++;
        input.Span[..(batch * 3 * height * width)].CopyTo(output.Span);
    }
}
