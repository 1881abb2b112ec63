using RestoreGrpc.Core.Errors;
using RestoreGrpc.Core.Faces.Alignment;
using RestoreGrpc.Core.Faces.Restoration;
using RestoreGrpc.Core.Models;
using SixLabors.ImageSharp.Processing;
using RestoreGrpc.Core.Scheduling;
using RestoreGrpc.TestSupport;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace RestoreGrpc.Core.Tests.Faces.Restoration;

public sealed class FaceRestorerTests
{
    // Landmarks of astronaut.png's face (YuNet, rounded); rotated and scaled relative to the template.
    private static readonly (double X, double Y)[] AstronautFace =
    [
        (191.5, 143.0), (237.0, 135.0), (220.0, 165.0), (201.0, 193.5), (240.5, 187.0),
    ];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static DynamicBatcher Batcher() => new(new InferenceGate(1));

    [Fact]
    public async Task Identity_restoration_of_a_linear_gradient_changes_nothing_so_transforms_and_mask_add_no_shift_or_seam()
    {
        // Bilinear sampling reproduces linear functions exactly, so crop-and-paste of a gradient is lossless: any
        // half-pixel shift (4 levels per pixel here) or a visible mask edge would show.
        using var canvas = new Image<Rgba32>(160, 160);
        for (int y = 0; y < 160; y++)
        {
            for (int x = 0; x < 160; x++)
            {
                canvas[x, y] = new Rgba32((byte)(20 + x), (byte)(10 + y), (byte)(90 + ((x - y) / 2)), 255);
            }
        }

        using Image<Rgba32> before = canvas.Clone();
        var face = AlignedFace.Align(AstronautFace.Select(p => (p.X - 130, p.Y - 80)).ToArray(), 256);
        var restorer = new IdentityRestorer(256);
        await FaceRestorer.RestoreAsync(canvas, [face], restorer, new FaceRestoreSettings(), Batcher(), BatchOwner.Anonymous(), Ct);

        Assert.Equal(1, restorer.Runs);
        PixelDifference difference = PixelDifference.Between(canvas.CloneAs<Rgb24>(), before.CloneAs<Rgb24>());
        Assert.True(difference.MaxLevels <= 1, difference.ToString());
    }

    [Fact]
    public void A_wrong_inverse_would_be_caught_by_the_gradient_test()
    {
        // Same machinery with the transform nudged half a pixel: the gradient shows it.
        using var canvas = new Image<Rgba32>(160, 160);
        for (int y = 0; y < 160; y++)
        {
            for (int x = 0; x < 160; x++)
            {
                canvas[x, y] = new Rgba32((byte)(20 + x), (byte)(10 + y), 128, 255);
            }
        }

        using Image<Rgba32> before = canvas.Clone();
        var face = AlignedFace.Align(AstronautFace.Select(p => (p.X - 130, p.Y - 80)).ToArray(), 256);
        RgbPlanes crop = FaceRestorer.WarpToCrop(canvas, face);
        var shifted = face with { CanvasToCrop = (SimilarityTransform.Identity with { Tx = 2 }).After(face.CanvasToCrop) };
        FaceRestorer.PasteBack(canvas, shifted, crop);
        Assert.True(PixelDifference.Between(canvas.CloneAs<Rgb24>(), before.CloneAs<Rgb24>()).MaxLevels >= 2);
    }

    [Fact]
    public async Task Identity_restoration_of_a_real_face_stays_within_resampling_error_and_leaves_the_rest_untouched()
    {
        using Image<Rgba32> canvas = Image.Load<Rgba32>(SharedAssets.Image("astronaut.png"));
        using Image<Rgba32> before = canvas.Clone();
        var face = AlignedFace.Align(AstronautFace, 512);
        await FaceRestorer.RestoreAsync(canvas, [face], new IdentityRestorer(512), new FaceRestoreSettings(), Batcher(), BatchOwner.Anonymous(), Ct);

        Rectangle region = FaceRestorer.CanvasRegion(canvas, face);
        double sum = 0;
        int count = 0;
        for (int y = 0; y < canvas.Height; y++)
        {
            for (int x = 0; x < canvas.Width; x++)
            {
                Rgba32 a = canvas[x, y], b = before[x, y];
                int d = Math.Max(Math.Abs(a.R - b.R), Math.Max(Math.Abs(a.G - b.G), Math.Abs(a.B - b.B)));
                if (!region.Contains(x, y))
                {
                    Assert.Equal(0, d);
                }
                else
                {
                    sum += d;
                    count++;
                }
            }
        }

        // The crop is ~2.6× the face's size, so down- and up-sampling cost little: mean error well under 1 level.
        Assert.True(sum / count < 1.0, $"mean error {sum / count:F3} levels over the face region");
    }

    [Fact]
    public async Task Blend_strength_really_changes_the_result()
    {
        string standin = SharedAssets.Model("face-standin-512.onnx");
        using var catalog = TestPipelines.Catalog(new ModelDescriptor
        {
            Name = "standin",
            File = standin,
            Task = ModelTaskKind.FaceRestoration,
            FixedSize = 512,
            InputRange = InputRange.MinusOneToOne,
        });
        await catalog.LoadAllAsync(Ct);
        using ModelLease modelLease = await catalog.AcquireAsync("standin", ModelTaskKind.FaceRestoration, RequestField.FaceRestorer, Ct);
        IUpscaleModel model = modelLease.Model;

        double Change(double blend)
        {
            // 16-bit canvas: the stand-in's unsharp mask is mild, and 8-bit rounding would blur the proportions.
            using Image<Rgba64> canvas = Image.Load<Rgba64>(SharedAssets.Image("astronaut.png"));
            using Image<Rgba64> before = canvas.Clone();
            FaceRestorer.RestoreAsync(canvas, [AlignedFace.Align(AstronautFace, 512)], model, new FaceRestoreSettings(blend), Batcher(), BatchOwner.Anonymous(), Ct).GetAwaiter().GetResult();
            double total = 0;
            for (int y = 100; y < 230; y++)
            {
                for (int x = 160; x < 270; x++)
                {
                    total += Math.Abs(canvas[x, y].G - before[x, y].G);
                }
            }

            return total / (130 * 110) / 257.0; // in 8-bit levels
        }

        double none = Change(0), half = Change(0.5), full = Change(1);
        Assert.Equal(0, none);
        Assert.True(full > 0.25, $"blend 1 changed the face by only {full:F3} levels");
        Assert.InRange(half, full * 0.4, full * 0.6);
    }

    [Fact]
    public void The_mask_is_zero_at_the_crop_edge_and_one_over_the_face()
    {
        float[] mask = SoftMask.ForSize(512);
        Assert.True(mask[0] < 1e-3f && mask[(256 * 512) + 0] < 2e-3f && mask[(511 * 512) + 256] < 2e-3f);
        foreach ((double x, double y) in FfhqTemplate.ForSize(512))
        {
            Assert.True(SoftMask.Sample(mask, 512, x, y) > 0.999f);
        }
    }

    [Fact]
    public async Task Crops_of_concurrent_requests_batch_together_and_each_result_equals_its_solo_run()
    {
        // A batch of two goes as soon as both crops are queued; the long delay only keeps a loaded machine (the two
        // requests' alignment finishing far apart) from sending the first alone.
        using var batcher = new DynamicBatcher(new InferenceGate(1), new DynamicBatcherOptions { MaxBatch = 2, MaxDelay = TimeSpan.FromSeconds(30) });
        var batches = new System.Collections.Concurrent.ConcurrentQueue<IReadOnlyList<BatchOwner>>();
        batcher.BatchCompleted += tags => batches.Enqueue(tags);
        var restorer = new IdentityRestorer(256);
        var face = AlignedFace.Align(AstronautFace, 256);

        using Image<Rgba32> a = Image.Load<Rgba32>(SharedAssets.Image("astronaut.png"));
        using Image<Rgba32> b = a.Clone(x => x.Flip(SixLabors.ImageSharp.Processing.FlipMode.Vertical));
        using Image<Rgba32> soloA = a.Clone();
        using Image<Rgba32> soloB = b.Clone();
        await FaceRestorer.RestoreAsync(soloA, [face], restorer, new FaceRestoreSettings(), Batcher(), BatchOwner.Anonymous(), Ct);
        await FaceRestorer.RestoreAsync(soloB, [face], restorer, new FaceRestoreSettings(), Batcher(), BatchOwner.Anonymous(), Ct);

        await Task.WhenAll(
            FaceRestorer.RestoreAsync(a, [face], restorer, new FaceRestoreSettings(), batcher, new BatchOwner("a"), Ct),
            FaceRestorer.RestoreAsync(b, [face], restorer, new FaceRestoreSettings(), batcher, new BatchOwner("b"), Ct));

        IReadOnlyList<BatchOwner> batch = Assert.Single(batches);
        Assert.Equal(["a", "b"], batch.Select(o => (string)o.Request).Order().ToArray());
        Assert.Equal(0, PixelDifference.Between(a.CloneAs<Rgb24>(), soloA.CloneAs<Rgb24>()).MaxLevels);
        Assert.Equal(0, PixelDifference.Between(b.CloneAs<Rgb24>(), soloB.CloneAs<Rgb24>()).MaxLevels);
    }

    [Fact]
    public void The_colour_guard_keeps_the_input_skin_tone_under_a_tinting_restorer()
    {
        double RedShift(bool guard)
        {
            using Image<Rgba64> canvas = Image.Load<Rgba64>(SharedAssets.Image("astronaut.png"));
            using Image<Rgba64> before = canvas.Clone();
            FaceRestorer.RestoreAsync(canvas, [AlignedFace.Align(AstronautFace, 256)], new TintingRestorer(256), new FaceRestoreSettings(ColorFidelity: guard), Batcher(), BatchOwner.Anonymous(), Ct)
                .GetAwaiter().GetResult();
            double total = 0;
            for (int y = 140; y < 190; y++)
            {
                for (int x = 195; x < 235; x++)
                {
                    total += (canvas[x, y].R - before[x, y].R) / 257.0;
                }
            }

            return total / (50 * 40);
        }

        double tinted = RedShift(guard: false), guarded = RedShift(guard: true);
        Assert.True(tinted > 20, $"the tinting restorer should redden the face, moved red by {tinted:F1} levels");
        Assert.True(Math.Abs(guarded) < 2, $"with the guard red moved by {guarded:F1} levels");
    }

    /// <summary>Identity plus a strong red cast: what a restorer with a colour bias does.</summary>
    private sealed class TintingRestorer(int size) : IUpscaleModel
    {
        public ModelDescriptor Descriptor { get; } = new() { Name = "tint", Task = ModelTaskKind.FaceRestoration, FixedSize = size, InputRange = InputRange.MinusOneToOne };

        public int Scale => 1;

        public string ExecutionProvider => "test";

        public void Run(Memory<float> input, Memory<float> output, int batch, int height, int width, CancellationToken cancellationToken)
        {
            int plane = height * width;
            input.Span[..(batch * 3 * plane)].CopyTo(output.Span);
            for (int b = 0; b < batch; b++)
            {
                Span<float> red = output.Span.Slice(b * 3 * plane, plane);
                for (int i = 0; i < plane; i++)
                {
                    red[i] += 0.3f;
                }
            }
        }
    }
}
