using System.Collections.Concurrent;
using Microsoft.ML.OnnxRuntime;

namespace RestoreGrpc.Core.Models;

/// <summary>
/// A model file loaded as one or more ONNX Runtime sessions (instances, as Triton calls them). Each run takes a free
/// instance, so up to <see cref="Instances"/> runs execute at once — on CUDA each session has its own stream, and one
/// batch's copies overlap another's kernels. How many runs execute at once is the scheduler's
/// <see cref="Scheduling.InferenceGate"/>'s business: a run never waits here. A run beyond the free instances (the gate
/// allows more runs than this model has sessions) runs plainly on a busy session — ONNX Runtime sessions accept
/// concurrent runs; only an instance's I/O binding is one run at a time. Inputs and outputs are the caller's (pooled)
/// buffers; cancellation terminates a run in flight. ONNX Runtime's failures to allocate are reported as
/// <see cref="InsufficientMemoryException"/>, which the scheduler answers by splitting the batch.
/// </summary>
internal sealed class OnnxModel : IUpscaleModel, IOnnxSessionPool, IDisposable
{
    private readonly OnnxSessionInstance[] _instances;
    private readonly ConcurrentBag<OnnxSessionInstance> _free;
    private readonly HashSet<RunOptions> _running = [];
    private int _overflow;
    private bool _disposed;

    public OnnxModel(ModelDescriptor descriptor, IReadOnlyList<OnnxSessionInstance> instances, string executionProvider)
    {
        ArgumentOutOfRangeException.ThrowIfZero(instances.Count);
        Descriptor = descriptor;
        ExecutionProvider = executionProvider;
        _instances = [.. instances];
        _free = new ConcurrentBag<OnnxSessionInstance>(_instances);
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

    public IReadOnlyList<string> InputNames => _instances[0].Session.InputNames;

    public IReadOnlyList<string> OutputNames => _instances[0].Session.OutputNames;

    /// <summary>Whether an ONNX Runtime error is a failed allocation (device or arena memory exhausted).</summary>
    public static bool IsAllocationFailure(OnnxRuntimeException e) => e.Message.Contains("allocate", StringComparison.OrdinalIgnoreCase);

    public void Run(Memory<float> input, Memory<float> output, int batch, int height, int width, CancellationToken cancellationToken)
    {
        long[] inputShape = [batch, 3, height, width];
        long[] outputShape = [batch, 3, (long)height * Scale, (long)width * Scale];
        int inputLength = checked(batch * 3 * height * width);
        int outputLength = checked(inputLength * Scale * Scale);
        Execute(
            (instance, exclusive, runOptions) =>
            {
                if (exclusive)
                {
                    instance.Run(runOptions, input[..inputLength], output[..outputLength], inputShape, outputShape);
                }
                else
                {
                    instance.RunPlain(runOptions, input[..inputLength], output[..outputLength], inputShape, outputShape);
                }

                return true;
            },
            cancellationToken);
    }

    public IDisposableReadOnlyCollection<OrtValue> Run(string inputName, OrtValue input, string[] outputNames, CancellationToken cancellationToken) =>
        Execute((instance, _, runOptions) => instance.Session.Run(runOptions, [inputName], [input], outputNames), cancellationToken);

    /// <summary>
    /// Terminates runs in flight and waits for them before the sessions go: a session disposed under a running
    /// <c>Run</c> is a use-after-free in native code (seen as a crash at shutdown while a cancelled request's tile
    /// was still running).
    /// </summary>
    public void Dispose()
    {
        lock (_running)
        {
            _disposed = true;
            foreach (RunOptions run in _running)
            {
                run.Terminate = true;
            }
        }

        SpinWait.SpinUntil(
            () =>
            {
                lock (_running)
                {
                    return _running.Count == 0;
                }
            },
            TimeSpan.FromSeconds(30));
        foreach (OnnxSessionInstance instance in _instances)
        {
            instance.Dispose();
        }
    }

    /// <summary>One run on a free instance (exclusive) or, when none is free, on a busy one (shared: plain runs only).</summary>
    private T Execute<T>(Func<OnnxSessionInstance, bool, RunOptions, T> run, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var runOptions = new RunOptions();
        lock (_running)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _running.Add(runOptions);
        }

        bool exclusive = _free.TryTake(out OnnxSessionInstance? instance);
        instance ??= _instances[(int)((uint)Interlocked.Increment(ref _overflow) % (uint)_instances.Length)];
        using CancellationTokenRegistration registration = cancellationToken.Register(
            static state => ((RunOptions)state!).Terminate = true,
            runOptions);
        try
        {
            return run(instance, exclusive, runOptions);
        }
        catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("inference was terminated", cancellationToken);
        }
        catch (OnnxRuntimeException e) when (IsAllocationFailure(e))
        {
            throw new InsufficientMemoryException($"model '{Descriptor.Name}' ran out of memory: {e.Message}", e);
        }
        finally
        {
            if (exclusive)
            {
                _free.Add(instance);
            }

            lock (_running)
            {
                _running.Remove(runOptions);
            }
        }
    }
}
