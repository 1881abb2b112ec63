using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace RestoreGrpc.Core.Models;

/// <summary>
/// One ONNX Runtime session of a model. Plain runs wrap the caller's buffers in <see cref="OrtValue"/>s (no
/// allocation). With I/O binding the run reads and writes tensors from an allocator of the session's — page-locked
/// host memory on CUDA, so the device copies are DMA transfers rather than staged through pageable memory — kept
/// for the last shapes run, so steady traffic allocates nothing. With a <see cref="CudaEpDevice"/> the bound tensors
/// live in device memory and ONNX Runtime's data transfer fills and reads them through page-locked host tensors
/// (the session then never copies on its own). One bound run at a time per instance;
/// <see cref="RunPlain"/> may run alongside.
/// </summary>
internal sealed class OnnxSessionInstance : IDisposable
{
    private const int CachedShapes = 2;

    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly OrtAllocator? _bindingAllocator;
    private readonly OrtMemoryInfo? _bindingMemory;
    private readonly OrtIoBinding? _binding;
    private readonly CudaEpDevice? _device;
    private readonly LinkedList<BoundShape> _bound = new();

    /// <param name="bindingMemory">Memory to bind inputs and outputs in (null: plain runs). The instance owns it.</param>
    public OnnxSessionInstance(InferenceSession session, OrtMemoryInfo? bindingMemory)
    {
        Session = session;
        _inputNames = [session.InputNames[0]];
        _outputNames = [session.OutputNames[0]];
        if (bindingMemory is not null)
        {
            _bindingMemory = bindingMemory;
            _bindingAllocator = ReferenceEquals(bindingMemory, OrtMemoryInfo.DefaultInstance)
                ? OrtAllocator.DefaultInstance
                : new OrtAllocator(session, bindingMemory);
            _binding = session.CreateIoBinding();
        }
    }

    /// <param name="device">The GPU whose memory holds the bound tensors (a session created through its plugin route).</param>
    public OnnxSessionInstance(CudaEpDevice device, InferenceSession session)
        : this(session, bindingMemory: null)
    {
        _device = device;
        _bindingAllocator = device.HostAllocator;
        _binding = session.CreateIoBinding();
    }

    public InferenceSession Session { get; }

    public bool UsesIoBinding => _binding is not null && !_bindingFailed;

    /// <summary>What the runs bind: "input+output", "output", or "off" with the reason binding was given up.</summary>
    public string Binding => _binding is null ? "off"
        : _bindingFailed ? $"off ({_bindingFailure})"
        : _device is not null ? "device input+output"
        : _bindInput ? "input+output" : "output";

    private bool _bindInput = true;
    private bool _bindingFailed;
    private string? _bindingFailure;
    private bool _bindingProven;

    public void Run(RunOptions runOptions, Memory<float> input, Memory<float> output, long[] inputShape, long[] outputShape)
    {
        if (_binding is null || _bindingFailed)
        {
            RunPlain(runOptions, input, output, inputShape, outputShape);
            return;
        }

        try
        {
            RunBound(runOptions, input, output, inputShape, outputShape);
            _bindingProven = true;
        }
        catch (OnnxRuntimeException e) when (!_bindingProven && !runOptions.Terminate)
        {
            // Some provider builds refuse a binding form (a pinned input, say): step down to binding the output
            // alone, then to plain runs, once, on the first run. Device tensors step down to plain runs.
            if (_bindInput && _device is null)
            {
                _bindInput = false;
            }
            else
            {
                _bindingFailed = true;
                _bindingFailure = e.Message.Split('\n')[0];
            }

            ClearBound();
            Run(runOptions, input, output, inputShape, outputShape);
        }
    }

    /// <summary>A run over the caller's buffers, touching no state of this instance: safe alongside another run.</summary>
    public void RunPlain(RunOptions runOptions, Memory<float> input, Memory<float> output, long[] inputShape, long[] outputShape)
    {
        using OrtValue inputValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, input, inputShape);
        using OrtValue outputValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, output, outputShape);
        Session.Run(runOptions, _inputNames, [inputValue], _outputNames, [outputValue]);
    }

    private void RunBound(RunOptions runOptions, Memory<float> input, Memory<float> output, long[] inputShape, long[] outputShape)
    {
        BoundShape bound = Bind(inputShape, outputShape);
        if (bound.DeviceInput is { } deviceInput && bound.DeviceOutput is { } deviceOutput)
        {
            input.Span.CopyTo(bound.Input.GetTensorMutableDataAsSpan<float>());
            CudaEpDevice.Copy(bound.Input, deviceInput);
            Session.RunWithBinding(runOptions, _binding!);
            CudaEpDevice.Copy(deviceOutput, bound.Output);
            bound.Output.GetTensorMutableDataAsSpan<float>().CopyTo(output.Span);
            return;
        }

        OrtValue? callerInput = null;
        try
        {
            if (_bindInput)
            {
                input.Span.CopyTo(bound.Input.GetTensorMutableDataAsSpan<float>());
            }
            else
            {
                callerInput = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, input, inputShape);
                _binding!.BindInput(_inputNames[0], callerInput);
            }

            Session.RunWithBinding(runOptions, _binding!);
            _binding!.SynchronizeBoundOutputs();
            bound.Output.GetTensorMutableDataAsSpan<float>().CopyTo(output.Span);
        }
        finally
        {
            callerInput?.Dispose();
        }
    }

    private void ClearBound()
    {
        _binding!.ClearBoundInputs();
        _binding.ClearBoundOutputs();
        foreach (BoundShape bound in _bound)
        {
            bound.Dispose();
        }

        _bound.Clear();
    }

    public void Dispose()
    {
        if (_binding is not null)
        {
            ClearBound();
        }

        _binding?.Dispose();
        if (_device is null && !ReferenceEquals(_bindingAllocator, OrtAllocator.DefaultInstance))
        {
            _bindingAllocator?.Dispose();
        }

        if (!ReferenceEquals(_bindingMemory, OrtMemoryInfo.DefaultInstance))
        {
            _bindingMemory?.Dispose();
        }

        Session.Dispose();
    }

    /// <summary>Binds tensors of this shape, reusing the last ones of the same shape; the least recent go.</summary>
    private BoundShape Bind(long[] inputShape, long[] outputShape)
    {
        LinkedListNode<BoundShape>? node = _bound.First;
        while (node is not null && !node.Value.InputShape.AsSpan().SequenceEqual(inputShape))
        {
            node = node.Next;
        }

        if (node is null)
        {
            node = new LinkedListNode<BoundShape>(new BoundShape(
                inputShape,
                OrtValue.CreateAllocatedTensorValue(_bindingAllocator!, TensorElementType.Float, inputShape),
                OrtValue.CreateAllocatedTensorValue(_bindingAllocator!, TensorElementType.Float, outputShape),
                _device is null ? null : OrtValue.CreateAllocatedTensorValue(_device.DeviceAllocator, TensorElementType.Float, inputShape),
                _device is null ? null : OrtValue.CreateAllocatedTensorValue(_device.DeviceAllocator, TensorElementType.Float, outputShape)));
            if (_bound.Count == CachedShapes)
            {
                _bound.Last!.Value.Dispose();
                _bound.RemoveLast();
            }
        }
        else
        {
            _bound.Remove(node);
        }

        _bound.AddFirst(node);
        if (node.Value.DeviceInput is { } deviceInput && node.Value.DeviceOutput is { } deviceOutput)
        {
            _binding!.BindInput(_inputNames[0], deviceInput);
            _binding.BindOutput(_outputNames[0], deviceOutput);
            return node.Value;
        }

        if (_bindInput)
        {
            _binding!.BindInput(_inputNames[0], node.Value.Input);
        }

        _binding!.BindOutput(_outputNames[0], node.Value.Output);
        return node.Value;
    }

    /// <summary>One shape's bound tensors: host tensors (page-locked on CUDA), and their device twins in device mode.</summary>
    private sealed record BoundShape(long[] InputShape, OrtValue Input, OrtValue Output, OrtValue? DeviceInput, OrtValue? DeviceOutput) : IDisposable
    {
        public void Dispose()
        {
            Input.Dispose();
            Output.Dispose();
            DeviceInput?.Dispose();
            DeviceOutput?.Dispose();
        }
    }
}
