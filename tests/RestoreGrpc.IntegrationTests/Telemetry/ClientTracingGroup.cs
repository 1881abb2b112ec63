namespace RestoreGrpc.IntegrationTests.Telemetry;

/// <summary>
/// Tests that turn on gRPC client tracing (a tracer provider with the client instrumentation hears every gRPC client
/// in the process and sends each call's own <c>traceparent</c>) run alone, so tests whose callers send a
/// <c>traceparent</c> of their own (<see cref="TraceResponseTests"/>) never run beside them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClientTracingGroup
{
    public const string Name = "client tracing";
}
