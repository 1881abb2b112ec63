using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using RestoreGrpc.Core.Models;
using RestoreGrpc.Core.Telemetry;

namespace RestoreGrpc.Benchmarks;

/// <summary>
/// What the instrumentation of one request costs in absolute terms, where a machine's noise cannot hide it: the spans
/// and metric updates a one-tile restore makes (server span, five stages, a batch with its link, a queue wait,
/// batch and request metrics), recorded by the OpenTelemetry SDK with its OTLP exporter (batching, in the background)
/// and a metric reader, repeated many times on one thread.
/// </summary>
internal static class TelemetryCost
{
    public static double MicrosecondsPerRequest(Uri otlpEndpoint, int requests)
    {
        void Configure(OtlpExporterOptions otlp)
        {
            otlp.Endpoint = otlpEndpoint;
            otlp.Protocol = OtlpExportProtocol.Grpc;
        }

        using TracerProvider tracing = Sdk.CreateTracerProviderBuilder().AddSource(RestoreTelemetry.SourceName).AddOtlpExporter(Configure).Build();
        using MeterProvider metrics = Sdk.CreateMeterProviderBuilder().AddMeter(RestoreTelemetry.MeterName).AddOtlpExporter(Configure).Build();
        var model = new ResamplerModel(new ModelDescriptor { Name = "cost-probe", Task = ModelTaskKind.SuperResolution, Scale = 4 });
        for (int i = 0; i < requests / 10; i++)
        {
            OneRequest(model); // warm-up
        }

        long started = Stopwatch.GetTimestamp();
        for (int i = 0; i < requests; i++)
        {
            OneRequest(model);
        }

        return Stopwatch.GetElapsedTime(started).TotalMicroseconds / requests;
    }

    private static void OneRequest(ResamplerModel model)
    {
        using Activity? request = RestoreTelemetry.Source.StartActivity("restoregrpc.v1.RestoreService/Restore", ActivityKind.Server);
        RestoreTelemetry.Traced(RestoreStages.Decode, () => 0);
        RestoreTelemetry.Traced(RestoreStages.Plan, () => 0);
        using (Activity? upscale = RestoreTelemetry.StartStage(RestoreStages.Upscale, [new(RestoreAttributes.Model, model.Descriptor.Name), new(RestoreAttributes.Tiles, 1)]))
        {
            ActivityContext caller = upscale?.Context ?? default;
            long enqueued = Stopwatch.GetTimestamp();
            using (Activity? batch = BatchTelemetry.StartBatch(model, [caller], static c => c, 4, 512, 512))
            {
                BatchTelemetry.RecordBatch(model, 1, 4, TimeSpan.FromMilliseconds(1));
                BatchTelemetry.RecordQueueWait(model, caller, enqueued, Stopwatch.GetTimestamp(), batch);
            }

            using (RestoreTelemetry.StartStage(RestoreStages.Assemble))
            {
            }
        }

        RestoreTelemetry.Traced(RestoreStages.Encode, () => 0);
        RestoreMetrics.RecordRestored(model.Descriptor.Name, 1, 512 * 512);
    }
}
