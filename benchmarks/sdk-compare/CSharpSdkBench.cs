#:project ../../clients/csharp/RestoreGrpc.Client/RestoreGrpc.Client.csproj
#:property PublishAot=false
#:package System.CommandLine
// The C# SDK's side of benchmarks/sdk-compare.sh (a benchmark, not a test): the same two measurements as the Go
// (clients/go/cmd/restoregrpc-bench), TypeScript (clients/typescript/scripts/bench.mjs) and Python
// (clients/python/benchmarks/sdk_bench.py) programs, one JSON line each on stdout:
//   unary:  RestoreAsync of an encoded image n times after 2 warm-ups, one call in flight: mean and p50 wall ms;
//   stream: RestoreLargeAsync of a synthetic size² RGB source into a raw file: wall seconds, client peak RSS.
//   dotnet run benchmarks/sdk-compare/CSharpSdkBench.cs -- --server 127.0.0.1:5000 --image in.png --n 20 --stream 4096 --model M
using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using RestoreGrpc.Client;
using RestoreGrpc.Client.Streaming;
using RestoreGrpc.Tiling;

var serverOption = new Option<string?>("--server") { Description = "HOST:PORT (default: $RESTOREGRPC_SERVER)." };
var modelOption = new Option<string>("--model") { Description = "Catalog model.", DefaultValueFactory = _ => string.Empty };
var imageOption = new Option<string?>("--image") { Description = "Encoded image for the unary measurement (none: skip)." };
var nOption = new Option<int>("--n") { Description = "Unary calls after 2 warm-ups.", DefaultValueFactory = _ => 20 };
var streamOption = new Option<int>("--stream") { Description = "Edge of the synthetic streamed image (0: skip).", DefaultValueFactory = _ => 0 };
var command = new RootCommand("The C# SDK's side of benchmarks/sdk-compare.sh.") { serverOption, modelOption, imageOption, nOption, streamOption };
ParseResult parsed = command.Parse(args);
if (parsed.Errors.Count > 0 || parsed.Action is not null)
{
    return await parsed.InvokeAsync();
}

string server = parsed.GetValue(serverOption) ?? Environment.GetEnvironmentVariable("RESTOREGRPC_SERVER")
    ?? throw new ArgumentException("--server HOST:PORT or $RESTOREGRPC_SERVER");
string model = parsed.GetRequiredValue(modelOption);
int n = parsed.GetValue(nOption);
int streamSize = parsed.GetValue(streamOption);
var options = new RestoreOptions { Model = model };
using var client = new RestoreClient($"http://{server}");

if (parsed.GetValue(imageOption) is { } imagePath)
{
    byte[] input = await File.ReadAllBytesAsync(imagePath);
    var times = new List<double>();
    for (int i = 0; i < n + 2; i++)
    {
        long started = Stopwatch.GetTimestamp();
        await client.RestoreAsync(input, options);
        if (i >= 2)
        {
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    times.Sort();
    Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["sdk"] = "csharp", ["kind"] = "unary", ["image"] = imagePath, ["n"] = n,
        ["mean_ms"] = times.Average(), ["p50_ms"] = times[times.Count / 2],
    }));
}

if (streamSize > 0)
{
    string path = Path.Combine(Path.GetTempPath(), $"restoregrpc-bench-{Environment.ProcessId}.rgb");
    try
    {
        using var sink = new RawFileSink(path);
        long started = Stopwatch.GetTimestamp();
        StreamRestoreResult result = await client.RestoreLargeAsync(new SyntheticSource(streamSize), sink, options);
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["sdk"] = "csharp", ["kind"] = "stream", ["size"] = streamSize, ["tiles"] = result.TileCount,
            ["seconds"] = Stopwatch.GetElapsedTime(started).TotalSeconds, ["peak_rss_mib"] = PeakRssMiB(),
        }));
    }
    finally
    {
        File.Delete(path);
    }
}

return 0;

static double PeakRssMiB()
{
    string? line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
    return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024.0;
}

/// <summary>A size² RGB gradient generated per window (the same pixels as the Go and TypeScript benchmarks).</summary>
internal sealed class SyntheticSource(int size) : ITileSource
{
    public int Width => size;

    public int Height => size;

    public RawPixelFormat Format => RawPixelFormat.Rgb24;

    public void ReadWindow(PixelRect window, Span<byte> destination)
    {
        int o = 0;
        for (int y = window.Y; y < window.Y + window.Height; y++)
        {
            for (int x = window.X; x < window.X + window.Width; x++)
            {
                destination[o] = (byte)x;
                destination[o + 1] = (byte)y;
                destination[o + 2] = (byte)(x ^ y);
                o += 3;
            }
        }
    }
}

/// <summary>Output rows written at their offsets in a raw file, as the Go SDK's RawFileSink does.</summary>
internal sealed class RawFileSink(string path) : ITileSink, IDisposable
{
    private readonly FileStream _file = new(path, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.RandomAccess);
    private int _width;
    private int _bytesPerPixel;

    public void Start(int width, int height, RawPixelFormat format)
    {
        _width = width;
        _bytesPerPixel = format.BytesPerPixel;
    }

    public void Write(PixelRect rect, ReadOnlySpan<byte> pixels)
    {
        int rowBytes = rect.Width * _bytesPerPixel;
        for (int y = 0; y < rect.Height; y++)
        {
            long offset = ((long)(rect.Y + y) * _width + rect.X) * _bytesPerPixel;
            RandomAccess.Write(_file.SafeFileHandle, pixels.Slice(y * rowBytes, rowBytes), offset);
        }
    }

    public void Complete()
    {
    }

    public void Dispose() => _file.Dispose();
}
