using RestoreGrpc.Core.Errors;
using RestoreGrpc.Core.Imaging;
using RestoreGrpc.TestSupport;

namespace RestoreGrpc.Core.Tests.Imaging;

/// <summary>
/// Damaged real images (bit flips, truncations, a 64 MiB PNG signature over noise) either decode or are refused as an
/// invalid <c>image</c>; no other exception ever escapes the decoder (the server would answer INTERNAL or UNKNOWN).
/// </summary>
public sealed class MutatedImageTests
{
    private static readonly ImageLimits Limits = new();

    [Fact]
    public void Every_mutation_of_every_format_decodes_or_is_an_invalid_image()
    {
        var failures = new List<string>();
        int cases = 0;
        foreach ((string name, byte[] original) in MutationCorpus.Sources())
        {
            foreach ((string mutation, byte[] bytes) in MutationCorpus.Mutations(original, seed: name.Length * 7919))
            {
                cases++;
                try
                {
                    ImageDecoder.Decode(bytes, Limits).Dispose();
                }
                catch (InvalidImageException)
                {
                }
                catch (Exception e) when (failures.Count < 20)
                {
                    failures.Add($"{name} {mutation}: {e.GetType().Name}: {e.Message}");
                }
            }
        }

        Assert.True(cases >= 300, $"only {cases} cases");
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases} mutations escaped as other exceptions:\n" + string.Join('\n', failures));
    }

    [Theory]
    [InlineData("astronaut.png")]
    [InlineData("chessboard_GRAY_U16.tif")]
    [InlineData("building.jpg")]
    public void An_image_cut_to_half_its_length_is_an_invalid_image(string file)
    {
        byte[] whole = File.ReadAllBytes(SharedAssets.Image(file));
        var error = Assert.Throws<InvalidImageException>(() => ImageDecoder.Decode(whole.AsMemory(0, whole.Length / 2), Limits));
        Assert.Equal(RequestField.Image, error.Field);
    }

    [Fact]
    public void Sixty_four_mebibytes_of_noise_behind_a_png_signature_is_an_invalid_image()
    {
        byte[] bytes = new byte[64 * 1024 * 1024 - 4096];
        new Random(64).NextBytes(bytes);
        byte[] signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        signature.CopyTo(bytes, 0);
        Assert.Equal(RequestField.Image, Assert.Throws<InvalidImageException>(() => ImageDecoder.Decode(bytes, Limits)).Field);
    }
}
