using Microsoft.ML.OnnxRuntime;

namespace RestoreGrpc.Core.Models;

/// <summary>
/// An ONNX Runtime session for one model file. Inputs and outputs are <see cref="OrtValue"/>s over the caller's
/// (pooled) buffers, so a run allocates no tensors; cancellation terminates a run in flight.
/// </summary>
internal sealed class OnnxModel : IUpscaleModel, IDisposable
{
    private readonly InferenceSession _session;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;

    public OnnxModel(ModelDescriptor descriptor, InferenceSession session, string executionProvider)
    {
        Descriptor = descriptor;
        _session = session;
        ExecutionProvider = executionProvider;
        _inputNames = [session.InputNames[0]];
        _outputNames = [session.OutputNames[0]];
    }

    public ModelDescriptor Descriptor { get; }

    public int Scale => Descriptor.Scale;

    public string ExecutionProvider { get; }

    /// <summary>The session, for models with several outputs (detectors) that decode their own tensors.</summary>
    public InferenceSession Session => _session;

    public void Run(Memory<float> input, Memory<float> output, int batch, int height, int width, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        long[] inputShape = [batch, 3, height, width];
        long[] outputShape = [batch, 3, (long)height * Scale, (long)width * Scale];
        int inputLength = checked(batch * 3 * height * width);
        int outputLength = checked(inputLength * Scale * Scale);

        using var runOptions = new RunOptions();
        using OrtValue inputValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, input[..inputLength], inputShape);
        using OrtValue outputValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, output[..outputLength], outputShape);
        using CancellationTokenRegistration registration = cancellationToken.Register(
            static state => ((RunOptions)state!).Terminate = true,
            runOptions);
        try
        {
            _session.Run(runOptions, _inputNames, [inputValue], _outputNames, [outputValue]);
        }
        catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("inference was terminated", cancellationToken);
        }
    }

    public void Dispose() => _session.Dispose();
}
