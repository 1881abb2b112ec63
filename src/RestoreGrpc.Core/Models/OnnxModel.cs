using System.Collections.Concurrent;
using Microsoft.ML.OnnxRuntime;

namespace RestoreGrpc.Core.Models;

/// <summary>
/// A model file loaded as one or more ONNX Runtime sessions (instances, as Triton calls them). Each run takes a free
/// instance, so up to <see cref="Instances"/> runs execute at once — on CUDA each session has its own stream, and one
/// batch's copies overlap another's kernels. Inputs and outputs are the caller's (pooled) buffers; cancellation
/// terminates a run in flight.
/// </summary>
internal sealed class OnnxModel : IUpscaleModel, IDisposable
{
    private readonly OnnxSessionInstance[] _instances;
    private readonly ConcurrentBag<OnnxSessionInstance> _free;
    private readonly SemaphoreSlim _available;
    private readonly HashSet<RunOptions> _running = [];

    public OnnxModel(ModelDescriptor descriptor, IReadOnlyList<OnnxSessionInstance> instances, string executionProvider)
    {
        ArgumentOutOfRangeException.ThrowIfZero(instances.Count);
        Descriptor = descriptor;
        ExecutionProvider = executionProvider;
        _instances = [.. instances];
        _free = new ConcurrentBag<OnnxSessionInstance>(_instances);
        _available = new SemaphoreSlim(_instances.Length, _instances.Length);
    }

    public ModelDescriptor Descriptor { get; }

    public int Scale => Descriptor.Scale;

    public string ExecutionProvider { get; }

    /// <summary>Sessions of this model that can run at once.</summary>
    public int Instances => _instances.Length;

    /// <summary>Whether runs go through I/O binding (pinned host tensors on CUDA).</summary>
    public bool UsesIoBinding => _instances[0].UsesIoBinding;

    /// <summary>What the runs bind (<see cref="OnnxSessionInstance.Binding"/>).</summary>
    public string Binding => _instances[0].Binding;

    /// <summary>The first session, for models with several outputs (detectors) that decode their own tensors.</summary>
    public InferenceSession Session => _instances[0].Session;

    public void Run(Memory<float> input, Memory<float> output, int batch, int height, int width, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        long[] inputShape = [batch, 3, height, width];
        long[] outputShape = [batch, 3, (long)height * Scale, (long)width * Scale];
        int inputLength = checked(batch * 3 * height * width);
        int outputLength = checked(inputLength * Scale * Scale);

        _available.Wait(cancellationToken);
        _free.TryTake(out OnnxSessionInstance? instance);
        using var runOptions = new RunOptions();
        lock (_running)
        {
            _running.Add(runOptions);
        }

        using CancellationTokenRegistration registration = cancellationToken.Register(
            static state => ((RunOptions)state!).Terminate = true,
            runOptions);
        try
        {
            instance!.Run(runOptions, input[..inputLength], output[..outputLength], inputShape, outputShape);
        }
        catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("inference was terminated", cancellationToken);
        }
        finally
        {
            lock (_running)
            {
                _running.Remove(runOptions);
            }

            _free.Add(instance!);
            _available.Release();
        }
    }

    /// <summary>
    /// Terminates runs in flight and waits for them before the sessions go: a session disposed under a running
    /// <c>Run</c> is a use-after-free in native code (seen as a crash at shutdown while a cancelled request's tile
    /// was still running).
    /// </summary>
    public void Dispose()
    {
        lock (_running)
        {
            foreach (RunOptions run in _running)
            {
                run.Terminate = true;
            }
        }

        for (int i = 0; i < _instances.Length; i++)
        {
            _available.Wait(TimeSpan.FromSeconds(30));
        }

        foreach (OnnxSessionInstance instance in _instances)
        {
            instance.Dispose();
        }

        _available.Dispose();
    }
}
