using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using RestoreGrpc.TestSupport;

namespace RestoreGrpc.IntegrationTests.Telemetry;

/// <summary>
/// The Aspire dashboard (NuGet <c>Aspire.Dashboard.Sdk.linux-x64</c>, downloaded at restore) as a real OTLP/gRPC
/// receiver on loopback: both its ports are bound as port 0 and read back from its log; its unsecured API answers
/// the spans it received.
/// </summary>
internal sealed class AspireDashboard : IAsyncDisposable
{
    private readonly Process _process;
    private readonly HttpClient _http;

    private AspireDashboard(Process process, Uri api, Uri otlp)
    {
        _process = process;
        _http = new HttpClient { BaseAddress = api };
        OtlpEndpoint = otlp;
    }

    /// <summary>OTLP/gRPC endpoint.</summary>
    public Uri OtlpEndpoint { get; }

    /// <summary>Starts the dashboard; skips (fails under CI) when the package is absent.</summary>
    public static async Task<AspireDashboard> StartAsync(CancellationToken cancellationToken)
    {
        string? packaged = typeof(AspireDashboard).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "AspireDashboardPath")?.Value;
        string executable = RequiredTool.Find("Aspire.Dashboard", "NuGet package Aspire.Dashboard.Sdk.linux-x64, downloaded by dotnet restore", packaged);

        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(executable)!,
        };
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = "http://127.0.0.1:0";
        start.Environment["ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS"] = "true";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {executable}");
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();

        Uri? api = null;
        Uri? otlp = null;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            while ((api is null || otlp is null) && await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                api ??= AddressAfter(line, "Now listening on: ");
                otlp ??= AddressAfter(line, "OTLP/gRPC listening on: ");
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }

        if (api is null || otlp is null)
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw new InvalidOperationException("the Aspire dashboard did not report its addresses within 60 s");
        }

        // Keep draining its log so it never blocks on a full pipe.
        _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
        return new AspireDashboard(process, api, otlp);
    }

    /// <summary>Every span received so far.</summary>
    public async Task<IReadOnlyList<ReceivedSpan>> GetSpansAsync(CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await _http.GetAsync(new Uri("/api/telemetry/traces", UriKind.Relative), cancellationToken);
        response.EnsureSuccessStatusCode();
        using JsonDocument json = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
        return ReceivedSpan.FromOtlpJson(json.RootElement.GetProperty("data"));
    }

    /// <summary>Polls until <paramref name="complete"/> holds for the spans received (at most 30 s).</summary>
    public async Task<IReadOnlyList<ReceivedSpan>> WaitForSpansAsync(Func<IReadOnlyList<ReceivedSpan>, bool> complete, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        while (true)
        {
            IReadOnlyList<ReceivedSpan> spans = await GetSpansAsync(cancellationToken);
            if (complete(spans) || Stopwatch.GetElapsedTime(started) > TimeSpan.FromSeconds(30))
            {
                return spans;
            }

            await Task.Delay(250, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static Uri? AddressAfter(string line, string marker)
    {
        int at = line.IndexOf(marker, StringComparison.Ordinal);
        return at < 0 ? null : new Uri(line[(at + marker.Length)..].Trim());
    }
}
