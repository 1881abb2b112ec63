using Google.Protobuf;
using Grpc.Core;
using RestoreGrpc.Contracts.V1;
using RestoreOptions = RestoreGrpc.Contracts.V1.RestoreOptions;

namespace RestoreGrpc.IntegrationTests.Security;

/// <summary>
/// Abusive RestoreStream exchanges for fuzzing, each drawn from a seeded <see cref="Random"/>: no header, two
/// headers, tiles before the header, tile indexes out of range or repeated, wrong and oversized tile sizes, absurd
/// header fields, resumes of random job ids, early half-closes, cancels mid-way, and garbage bytes where a message
/// belongs. <see cref="RunAsync"/> plays one and returns its name and how the call ended (null: it completed).
/// </summary>
internal static class StreamAbuse
{
    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(b => b, b => b);

    /// <summary>RestoreStream with raw bytes both ways, for messages that are not protobuf at all.</summary>
    private static readonly Method<byte[], byte[]> RawStream = new(
        MethodType.DuplexStreaming, "restoregrpc.v1.RestoreService", "RestoreStream", Bytes, Bytes);

    private static readonly string[] Kinds =
    [
        "no header", "two headers", "tile before header", "index out of range", "duplicate tile", "wrong size",
        "oversized tile", "absurd header", "resume random id", "half-close early", "cancel mid-way", "garbage bytes",
        "random sequence",
    ];

    public static int KindCount => Kinds.Length;

    /// <param name="kind">Which abuse (index into the kinds, modulo their count).</param>
    /// <param name="maxTileBytes">The server's Restore:Streaming:MaxTileBytes (oversized tiles go beyond it).</param>
    public static async Task<(string Name, Status? Ended)> RunAsync(CallInvoker invoker, Random random, int kind, int maxTileBytes, CancellationToken cancellationToken)
    {
        string name = Kinds[kind % Kinds.Length];
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // A server that neither answers nor ends the call within this is a finding (DEADLINE_EXCEEDED from here).
        var options = new CallOptions(deadline: DateTime.UtcNow.AddSeconds(20), cancellationToken: cancel.Token);
        try
        {
            if (name == "garbage bytes")
            {
                using var raw = invoker.AsyncDuplexStreamingCall(RawStream, null, options);
                if (random.Next(2) == 0)
                {
                    await raw.RequestStream.WriteAsync(new RestoreStreamRequest { Header = Header(random) }.ToByteArray(), cancel.Token);
                }

                byte[] garbage = new byte[1 + random.Next(64)];
                random.NextBytes(garbage);
                await raw.RequestStream.WriteAsync(garbage, cancel.Token);
                await raw.RequestStream.CompleteAsync();
                while (await raw.ResponseStream.MoveNext(cancel.Token))
                {
                }

                return (name, null);
            }

            var client = new RestoreService.RestoreServiceClient(invoker);
            using var call = client.RestoreStream(options);
            StreamPlan? plan = null;
            async Task<StreamPlan?> OpenAsync(StreamHeader header)
            {
                await call.RequestStream.WriteAsync(new RestoreStreamRequest { Header = header }, cancel.Token);
                return await call.ResponseStream.MoveNext(cancel.Token) ? call.ResponseStream.Current.Plan : null;
            }

            int Window() => plan is null ? 64 : plan.WindowWidth * plan.WindowHeight * 3;
            Task SendTileAsync(int index, int bytes)
            {
                byte[] pixels = new byte[Math.Max(0, bytes)];
                random.NextBytes(pixels.AsSpan(0, Math.Min(pixels.Length, 256)));
                return call.RequestStream.WriteAsync(new RestoreStreamRequest { Tile = new InputTile { Index = index, Pixels = ByteString.CopyFrom(pixels) } }, cancel.Token);
            }

            try
            {
                await PlayAsync();
            }
            catch (RpcException) when (!cancel.IsCancellationRequested)
            {
                // A write failed because the server had already ended the call: its status is the response's.
            }

            while (await call.ResponseStream.MoveNext(cancel.Token))
            {
            }

            return (name, null);

            async Task PlayAsync()
            {
                switch (name)
                {
                    case "no header":
                        break;
                    case "two headers":
                        plan = await OpenAsync(Header(random));
                        await call.RequestStream.WriteAsync(new RestoreStreamRequest { Header = Header(random) }, cancel.Token);
                        break;
                    case "tile before header":
                        await SendTileAsync(random.Next(4), random.Next(1, 4096));
                        await call.RequestStream.WriteAsync(new RestoreStreamRequest { Header = Header(random) }, cancel.Token);
                        break;
                    case "index out of range":
                        plan = await OpenAsync(Header(random));
                        await SendTileAsync(random.Next(4) switch { 0 => -1, 1 => plan?.TileCount ?? 1, 2 => int.MaxValue, _ => int.MinValue }, Window());
                        break;
                    case "duplicate tile":
                        plan = await OpenAsync(Header(random));
                        int twice = random.Next(Math.Max(1, plan?.TileCount ?? 1));
                        await SendTileAsync(twice, Window());
                        await SendTileAsync(twice, Window());
                        break;
                    case "wrong size":
                        plan = await OpenAsync(Header(random));
                        int size = random.Next(2 * Window());
                        await SendTileAsync(0, size == Window() ? size + 1 : size);
                        break;
                    case "oversized tile":
                        plan = await OpenAsync(Header(random));
                        await SendTileAsync(0, maxTileBytes + 1 + random.Next(4096));
                        break;
                    case "absurd header":
                        plan = await OpenAsync(AbsurdHeader(random));
                        break;
                    case "resume random id":
                        var resume = new StreamHeader
                        {
                            Options = new RestoreOptions { Model = "builtin-lanczos-x4" },
                            JobId = random.Next(3) switch { 0 => Convert.ToHexString(RandomBytes(random, 16)).ToLowerInvariant(), 1 => new string('a', random.Next(1, 5000)), _ => Convert.ToBase64String(RandomBytes(random, 24)) },
                        };
                        resume.HeldTiles.Add(Enumerable.Range(0, random.Next(5)).Select(_ => random.Next(-3, 1000)));
                        plan = await OpenAsync(resume);
                        break;
                    case "half-close early":
                        plan = await OpenAsync(Header(random));
                        for (int i = 0; i < Math.Min(plan?.InitialCredit ?? 0, random.Next(1, 4)); i++)
                        {
                            await SendTileAsync(i, Window());
                        }

                        break;
                    case "cancel mid-way":
                        plan = await OpenAsync(Header(random));
                        for (int i = 0; i < Math.Min(plan?.InitialCredit ?? 0, random.Next(1, 4)); i++)
                        {
                            await SendTileAsync(i, Window());
                        }

                        await Task.Delay(random.Next(20), cancel.Token);
                        await cancel.CancelAsync();
                        throw new OperationCanceledException(cancel.Token);
                    default: // random sequence: headers and tiles with random fields, in random order
                        for (int i = 0, n = random.Next(1, 8); i < n; i++)
                        {
                            if (random.Next(3) == 0)
                            {
                                await call.RequestStream.WriteAsync(new RestoreStreamRequest { Header = random.Next(2) == 0 ? Header(random) : AbsurdHeader(random) }, cancel.Token);
                            }
                            else
                            {
                                await SendTileAsync(random.Next(-2, 40), random.Next(3) == 0 ? Window() : random.Next(1, 8192));
                            }
                        }

                        break;
                }

                await call.RequestStream.CompleteAsync();
            }
        }
        catch (RpcException e)
        {
            return (name, e.Status);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return (name, Status.DefaultCancelled);
        }
    }

    /// <summary>A well-formed header for a small image (Lanczos: cheap tiles).</summary>
    private static StreamHeader Header(Random random) => new()
    {
        Options = new RestoreOptions { Model = "builtin-lanczos-x4", Tiling = new TileOptions { TileSize = 32 * random.Next(2, 9) } },
        Width = random.Next(16, 700),
        Height = random.Next(16, 500),
        PixelFormat = new PixelFormat { BitDepth = random.Next(2) == 0 ? 8 : 16, ChannelCount = random.Next(2) == 0 ? 1 : 3 },
    };

    /// <summary>A header with one or more fields out of their range.</summary>
    private static StreamHeader AbsurdHeader(Random random)
    {
        StreamHeader header = Header(random);
        int[] absurd = [0, -1, 1, int.MaxValue, int.MinValue, 1 << 20, 65537];
        for (int i = 0, n = random.Next(1, 4); i < n; i++)
        {
            int value = absurd[random.Next(absurd.Length)];
            switch (random.Next(8))
            {
                case 0: header.Width = value; break;
                case 1: header.Height = value; break;
                case 2: header.PixelFormat.BitDepth = value; break;
                case 3: header.PixelFormat.ChannelCount = value; break;
                case 4: header.Options.Tiling.TileSize = value; break;
                case 5: header.Options.Tiling.TileMargin = value; break;
                case 6: header.Options.Model = random.Next(2) == 0 ? "no-such-model" : new string('m', random.Next(1, 3000)); break;
                default: header.Options.Scale = random.Next(3) switch { 0 => double.NaN, 1 => double.PositiveInfinity, _ => value }; break;
            }
        }

        return header;
    }

    private static byte[] RandomBytes(Random random, int count)
    {
        byte[] bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}
