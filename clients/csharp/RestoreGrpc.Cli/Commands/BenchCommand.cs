using System.CommandLine;
using System.Globalization;
using RestoreGrpc.Cli.Bench;
using RestoreGrpc.Cli.Presets;
using RestoreGrpc.Client;
using Spectre.Console;

namespace RestoreGrpc.Cli.Commands;

/// <summary>Everything <c>restore bench</c> was asked to do.</summary>
internal sealed record BenchSettings(
    string Server,
    string ImagePath,
    RestoreOptionOverrides Overrides,
    BenchPlan Plan,
    string? JsonPath,
    ClientCredentialSettings? Credentials = null);

/// <summary>
/// <c>restore bench --image F [-j N] [-n M] [--warmup K] [--json FILE]</c>: load test with one image. Requests are
/// not retried, so every UNAVAILABLE counts as a failure.
/// </summary>
internal sealed class BenchCommand : Command
{
    private readonly CliContext _context;
    private readonly Option<string> _server;
    private readonly CredentialOptionSet _credentials;

    public BenchCommand(CliContext context, Option<string> server, CredentialOptionSet? credentials = null)
        : base("bench", "Measure throughput and latency: send one image many times with a fixed number in flight.")
    {
        _context = context ?? throw new ArgumentNullException(nameof(context));
        _server = server ?? throw new ArgumentNullException(nameof(server));
        _credentials = credentials ?? new CredentialOptionSet(apiKeyFromEnvironment: null, tokenFromEnvironment: null);
        Options.Add(Image);
        Options.Add(Concurrency);
        Options.Add(Requests);
        Options.Add(Warmup);
        Options.Add(Json);
        OptionSet.AddTo(this);
        SetAction((parseResult, cancellationToken) => CommandExecution.RunAsync(
            context.Console,
            () => ExecuteAsync(ReadSettings(parseResult), cancellationToken),
            cancellationToken,
            parseResult.GetRequiredValue(server)));
    }

    public Option<string> Image { get; } = new("--image", "-i")
    {
        Description = "The image to send.",
        HelpName = "FILE",
        Required = true,
    };

    public Option<int> Concurrency { get; } = new Option<int>("--concurrency", "-j")
    {
        Description = "Requests in flight at once.",
        HelpName = "N",
        DefaultValueFactory = _ => 1,
    }.AtLeast(1);

    public Option<int> Requests { get; } = new Option<int>("--requests", "-n")
    {
        Description = "Measured requests.",
        HelpName = "M",
        DefaultValueFactory = _ => 20,
    }.AtLeast(1);

    public Option<int> Warmup { get; } = new Option<int>("--warmup")
    {
        Description = "Unmeasured requests sent first, one at a time.",
        HelpName = "K",
        DefaultValueFactory = _ => 1,
    }.AtLeast(0);

    public Option<string?> Json { get; } = new("--json")
    {
        Description = "Where to write the results as JSON (default: ./bench-<yyyyMMdd-HHmmss>.json).",
        HelpName = "FILE",
    };

    public RestoreOptionSet OptionSet { get; } = new();

    public BenchSettings ReadSettings(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        return new BenchSettings(
            parseResult.GetRequiredValue(_server),
            parseResult.GetRequiredValue(Image),
            OptionSet.Read(parseResult),
            new BenchPlan(parseResult.GetValue(Requests), parseResult.GetValue(Concurrency), parseResult.GetValue(Warmup)),
            parseResult.GetValue(Json),
            _credentials.Read(parseResult));
    }

    private async Task<int> ExecuteAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var console = _context.Console;
        byte[] image;
        try
        {
            image = await File.ReadAllBytesAsync(settings.ImagePath, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read {settings.ImagePath}: {ex.Message}", ex);
        }

        RestoreOptions options = settings.Overrides.ApplyTo(null);
        using RestoreClient client = _context.CreateClient(settings.Server, settings.Credentials, o => o.MaxAttempts = 1);

        async Task<InputSize> SendAsync(CancellationToken token)
        {
            RestoreResult result = await client.RestoreAsync(image, options, token).ConfigureAwait(false);
            return result.Details.Input is { } input ? new InputSize(input.Width, input.Height) : default;
        }

        BenchPlan plan = settings.Plan;
        DateTimeOffset started = DateTimeOffset.Now;
        BenchOutcome outcome;
        if (console.Interactive)
        {
            outcome = await console.Ansi.Progress()
                .AutoClear(true)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .StartAsync(async progress =>
                {
                    ProgressTask task = progress.AddTask($"{plan.Requests} requests, {plan.Concurrency} in flight", maxValue: plan.Requests);
                    return await BenchRunner.RunAsync(plan, SendAsync, () => task.Increment(1), cancellationToken).ConfigureAwait(false);
                })
                .ConfigureAwait(false);
        }
        else
        {
            await console.Out.WriteLineAsync(
                $"Benchmarking {settings.Server}: {plan.Requests} requests, {plan.Concurrency} in flight, {plan.Warmup} warm-up, image {settings.ImagePath} ({image.Length} bytes)")
                .ConfigureAwait(false);
            outcome = await BenchRunner.RunAsync(plan, SendAsync, null, cancellationToken).ConfigureAwait(false);
        }

        BenchReport report = BenchReport.Create(outcome, plan, settings.Server, settings.ImagePath, options, started);
        await WriteResultsAsync(console, report).ConfigureAwait(false);

        string jsonPath = settings.JsonPath ?? BenchReport.DefaultFileName(started.LocalDateTime);
        string? directory = Path.GetDirectoryName(Path.GetFullPath(jsonPath));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        await File.WriteAllTextAsync(jsonPath, report.ToJson() + Environment.NewLine, cancellationToken).ConfigureAwait(false);
        await console.Out.WriteLineAsync($"Results written to {jsonPath}").ConfigureAwait(false);

        return outcome.Failed == 0 && outcome.Succeeded > 0 ? ExitCodes.Success : ExitCodes.Failure;
    }

    private static async Task WriteResultsAsync(Output.CliConsole console, BenchReport report)
    {
        LatencyStats l = report.LatencyMs;
        string[] lines =
        [
            string.Create(CultureInfo.InvariantCulture, $"Requests:    {report.Succeeded} succeeded, {report.Failed} failed in {report.WallSeconds:0.000} s"),
            string.Create(CultureInfo.InvariantCulture, $"Input:       {report.InputWidth}x{report.InputHeight} ({report.InputWidth * (double)report.InputHeight / 1e6:0.###} MP)"),
            string.Create(CultureInfo.InvariantCulture, $"Throughput:  {report.ImagesPerSecond:0.###} images/s, {report.MegapixelsPerSecond:0.###} MP/s (input)"),
            string.Create(CultureInfo.InvariantCulture, $"Latency ms:  p50 {l.P50:0.0}  p95 {l.P95:0.0}  p99 {l.P99:0.0}  mean {l.Mean:0.0}  min {l.Min:0.0}  max {l.Max:0.0}"),
        ];
        foreach (string line in lines)
        {
            await console.Out.WriteLineAsync(line).ConfigureAwait(false);
        }

        foreach ((string error, int count) in report.Errors.OrderByDescending(e => e.Value))
        {
            await console.Error.WriteLineAsync($"{count} x {error}").ConfigureAwait(false);
        }
    }
}
