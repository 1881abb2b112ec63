using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace RestoreGrpc.Client;

/// <summary>
/// Client side of an end-to-end trace: each unary call gets a client span (source <see cref="ActivitySourceName"/>, named
/// <c>restoregrpc.v1.RestoreService/Restore</c>, with the OpenTelemetry RPC attributes and the final gRPC status),
/// and the W3C trace context (<c>traceparent</c>, <c>tracestate</c>) goes out in the call's metadata, so the server's
/// spans join the caller's trace. With no listener on the source, the caller's own current span is propagated.
/// </summary>
public sealed class TracingInterceptor : Interceptor
{
    /// <summary>The SDK's ActivitySource: add it to a tracer provider to record the client spans.</summary>
    public const string ActivitySourceName = "RestoreGrpc.Client";

    private static readonly ActivitySource Source = new(ActivitySourceName, typeof(TracingInterceptor).Assembly.GetName().Version?.ToString());

    private readonly string? _serverAddress;
    private readonly int? _serverPort;

    /// <param name="target">The server address (for <c>server.address</c> and <c>server.port</c>), when known.</param>
    public TracingInterceptor(Uri? target = null)
    {
        _serverAddress = target?.Host;
        _serverPort = target?.Port;
    }

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        Activity? span = Start(ref context);
        AsyncUnaryCall<TResponse> call;
        try
        {
            call = continuation(request, context);
        }
        catch (RpcException e)
        {
            Complete(span, e.StatusCode);
            throw;
        }

        return new AsyncUnaryCall<TResponse>(
            CompleteAsync(call.ResponseAsync, span),
            call.ResponseHeadersAsync,
            call.GetStatus,
            call.GetTrailers,
            call.Dispose);
    }

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        // A stream ends when its reader stops reading, which this interceptor does not see: no client span, but the
        // caller's trace context still goes out, so the server's spans join the caller's trace.
        Start(ref context, recordSpan: false);
        return continuation(request, context);
    }

    private Activity? Start<TRequest, TResponse>(ref ClientInterceptorContext<TRequest, TResponse> context, bool recordSpan = true)
        where TRequest : class
        where TResponse : class
    {
        Activity? caller = Activity.Current;
        Activity? span = recordSpan ? Source.StartActivity($"{context.Method.ServiceName}/{context.Method.Name}", ActivityKind.Client) : null;
        if (span is not null)
        {
            span.SetTag("rpc.system", "grpc");
            span.SetTag("rpc.service", context.Method.ServiceName);
            span.SetTag("rpc.method", context.Method.Name);
            span.SetTag("server.address", _serverAddress);
            span.SetTag("server.port", _serverPort);

            // The span ends when the response arrives, in another context: the caller's current span stays its own.
            Activity.Current = caller;
        }

        if ((span ?? caller) is { } propagated)
        {
            Metadata headers = context.Options.Headers is { } given ? [.. given] : [];
            DistributedContextPropagator.Current.Inject(propagated, headers, static (carrier, name, value) =>
            {
                if (carrier is Metadata metadata && metadata.Get(name) is null)
                {
                    metadata.Add(name, value);
                }
            });
            context = new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, context.Options.WithHeaders(headers));
        }

        return span;
    }

    private static async Task<TResponse> CompleteAsync<TResponse>(Task<TResponse> response, Activity? span)
    {
        try
        {
            TResponse result = await response.ConfigureAwait(false);
            Complete(span, StatusCode.OK);
            return result;
        }
        catch (RpcException e)
        {
            Complete(span, e.StatusCode);
            throw;
        }
    }

    private static void Complete(Activity? span, StatusCode status)
    {
        if (span is null)
        {
            return;
        }

        span.SetTag("rpc.grpc.status_code", (int)status);
        if (status != StatusCode.OK)
        {
            span.SetStatus(ActivityStatusCode.Error, status.ToString());
        }

        span.Dispose();
    }
}
