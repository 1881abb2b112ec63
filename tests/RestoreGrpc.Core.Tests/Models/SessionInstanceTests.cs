using RestoreGrpc.Core.Errors;
using Microsoft.Extensions.Logging.Abstractions;
using RestoreGrpc.Core.Models;
using RestoreGrpc.TestSupport;

namespace RestoreGrpc.Core.Tests.Models;

/// <summary>Several sessions per model and I/O-bound runs must give exactly what one plain session gives.</summary>
public sealed class SessionInstanceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(IoBindingMode.Always)]
    [InlineData(IoBindingMode.Device)] // device tensors on CUDA; here (CPU) the default allocator's, as Always
    public async Task Io_bound_runs_on_two_instances_match_plain_runs_exactly(IoBindingMode binding)
    {
        string path = SharedAssets.Model("realesr-animevideov3-x4.onnx");
        using ModelCatalog plain = Catalog(path, IoBindingMode.Never, instances: 1);
        using ModelCatalog bound = Catalog(path, binding, instances: 2);
        using ModelLease plainModelLease = await plain.AcquireUpscalerAsync("anime", RequestField.Model, Ct);
        IUpscaleModel plainModel = plainModelLease.Model;
        using ModelLease boundModelLease = await bound.AcquireUpscalerAsync("anime", RequestField.Model, Ct);
        IUpscaleModel boundModel = boundModelLease.Model;
        Assert.Equal(2, ((OnnxModel)boundModel).Instances);
        Assert.True(((OnnxModel)boundModel).UsesIoBinding);
        Assert.False(((OnnxModel)plainModel).UsesIoBinding);

        // Two shapes and batch sizes, each run on both instances at once, twice (the bound tensors are reused).
        foreach ((int batch, int edge) in new[] { (2, 24), (1, 40), (2, 24) })
        {
            float[] input = Random(batch * 3 * edge * edge, seed: edge);
            float[] expected = new float[input.Length * 16];
            plainModel.Run(input, expected, batch, edge, edge, Ct);

            float[][] outputs = [new float[expected.Length], new float[expected.Length]];
            Parallel.For(0, 2, i => boundModel.Run(input, outputs[i], batch, edge, edge, Ct));
            Assert.Equal(expected, outputs[0]);
            Assert.Equal(expected, outputs[1]);
        }
    }

    [Fact]
    public async Task A_cancelled_run_leaves_the_single_instance_free_for_concurrent_callers()
    {
        string path = SharedAssets.Model("realesr-animevideov3-x4.onnx");
        using ModelCatalog catalog = Catalog(path, IoBindingMode.Never, instances: 1);
        using ModelLease modelLease = await catalog.AcquireUpscalerAsync("anime", RequestField.Model, Ct);
        IUpscaleModel model = modelLease.Model;
        float[] input = new float[3 * 16 * 16];
        float[] output = new float[input.Length * 16];
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        Assert.ThrowsAny<OperationCanceledException>(() => model.Run(input, output, 1, 16, 16, cancelled.Token));

        // The single instance is still free: runs from several threads complete, one at a time.
        Parallel.For(0, 4, _ => model.Run(input, new float[output.Length], 1, 16, 16, Ct));
    }

    [Fact]
    public async Task Disposing_a_model_terminates_and_waits_for_a_run_in_flight()
    {
        string path = SharedAssets.Model("realesr-animevideov3-x4.onnx");
        ModelCatalog catalog = Catalog(path, IoBindingMode.Never, instances: 1);
        using ModelLease modelLease = await catalog.AcquireUpscalerAsync("anime", RequestField.Model, Ct);
        IUpscaleModel model = modelLease.Model;
        float[] input = new float[3 * 256 * 256];
        float[] output = new float[input.Length * 16];
        using var started = new ManualResetEventSlim();
        Task run = Task.Run(() =>
        {
            started.Set();
            model.Run(input, output, 1, 256, 256, CancellationToken.None);
        }, Ct);
        started.Wait(Ct);
        await Task.Delay(50, Ct);

        catalog.Dispose(); // must not free the session under the running Run
        Exception? error = await Record.ExceptionAsync(() => run);
        Assert.True(error is null or Microsoft.ML.OnnxRuntime.OnnxRuntimeException, error?.ToString());
    }

    private static ModelCatalog Catalog(string path, IoBindingMode binding, int instances) => new(
        new ModelCatalogOptions
        {
            Entries = [new ModelDescriptor { Name = "anime", File = path, Scale = 4, TileMargin = 18, Instances = instances }],
            ExecutionProvider = ExecutionProviderPreference.Cpu,
            IntraOpThreads = 1,
            IoBinding = binding,
            WarmUp = WarmUpMode.Minimal,
            EnableBuiltinResampler = false,
        },
        Path.GetTempPath(),
        new HttpClient(),
        NullLogger<ModelCatalog>.Instance);

    private static float[] Random(int length, int seed)
    {
        var random = new Random(seed);
        float[] values = new float[length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = random.NextSingle();
        }

        return values;
    }
}
