using System.Runtime.Intrinsics;

namespace RestoreGrpc.Core.Imaging;

/// <summary>
/// Adler-32 (RFC 1950), the checksum that ends a zlib stream, with zlib's <c>adler32_combine</c> for data checksummed
/// in pieces on several threads. (System.IO.Hashing has no Adler-32 in the version this project uses.)
/// </summary>
internal static class Adler32
{
    public const uint Initial = 1;

    private const uint Modulus = 65521;

    /// <summary>zlib's NMAX: the most bytes summed before the 32-bit sums must be reduced.</summary>
    private const int BlockBytes = 5552;

    /// <summary>Byte weights of a 32-byte step: the first byte is added into the running sum 32 times, the last once.</summary>
    private static readonly Vector256<ushort> FirstHalfWeights = Vector256.Create((ushort)32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17);
    private static readonly Vector256<ushort> SecondHalfWeights = Vector256.Create((ushort)16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1);

    public static uint Update(uint adler, ReadOnlySpan<byte> data)
    {
        ulong a = adler & 0xFFFF;
        ulong b = adler >> 16;
        while (!data.IsEmpty)
        {
            int n = Math.Min(BlockBytes, data.Length);
            ReadOnlySpan<byte> block = data[..n];
            if (Vector256.IsHardwareAccelerated && n >= 32)
            {
                // Per 32 bytes x0..x31: a += Σx, b += 32·a + Σ(32 − i)·xi. Lanes hold partial sums; the carried
                // term 32·a is summed once per block from the lanes' running totals.
                int steps = n / 32;
                Vector256<uint> sums = Vector256<uint>.Zero, carried = Vector256<uint>.Zero, weighted = Vector256<uint>.Zero;
                for (int i = 0; i < steps * 32; i += 32)
                {
                    carried += sums;
                    (Vector256<ushort> first, Vector256<ushort> second) = Vector256.Widen(Vector256.Create(block[i..]));
                    (Vector256<uint> sumLow, Vector256<uint> sumHigh) = Vector256.Widen(first + second);
                    sums += sumLow + sumHigh;
                    (Vector256<uint> weightLow, Vector256<uint> weightHigh) = Vector256.Widen((first * FirstHalfWeights) + (second * SecondHalfWeights));
                    weighted += weightLow + weightHigh;
                }

                b += (32UL * (ulong)steps * a) + (32UL * Vector256.Sum(carried)) + Vector256.Sum(weighted);
                a += Vector256.Sum(sums);
                block = block[(steps * 32)..];
            }

            foreach (byte value in block)
            {
                a += value;
                b += a;
            }

            a %= Modulus;
            b %= Modulus;
            data = data[n..];
        }

        return (uint)((b << 16) | a);
    }

    /// <summary>The checksum of A followed by B, from the checksums of A and of B and the length of B.</summary>
    public static uint Combine(uint first, uint second, long secondLength)
    {
        uint remainder = (uint)(secondLength % Modulus);
        uint a = first & 0xFFFF;
        uint b = (uint)((ulong)remainder * a % Modulus);
        a += (second & 0xFFFF) + Modulus - 1;
        b += (first >> 16) + (second >> 16) + Modulus - remainder;
        a = a >= Modulus ? a - Modulus : a;
        a = a >= Modulus ? a - Modulus : a;
        b = b >= 2 * Modulus ? b - (2 * Modulus) : b;
        b = b >= Modulus ? b - Modulus : b;
        return (b << 16) | a;
    }
}
