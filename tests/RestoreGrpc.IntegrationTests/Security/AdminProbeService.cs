using Google.Protobuf.WellKnownTypes;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;

namespace RestoreGrpc.IntegrationTests.Security;

/// <summary>A test-only gRPC service with one method, mapped under the Admin policy: ModelAdminService is not here
/// yet, and the policy must be testable on its own. Shaped like generated code (a base that binds, an override).</summary>
[BindServiceMethod(typeof(AdminProbeService), nameof(BindService))]
public abstract class AdminProbeService
{
    public static readonly Method<Empty, Empty> PingMethod = new(
        MethodType.Unary,
        "restoregrpc.test.AdminProbe",
        "Ping",
        Marshallers.Create(m => Google.Protobuf.MessageExtensions.ToByteArray(m), Empty.Parser.ParseFrom),
        Marshallers.Create(m => Google.Protobuf.MessageExtensions.ToByteArray(m), Empty.Parser.ParseFrom));

    public abstract Task<Empty> Ping(Empty request, ServerCallContext context);

    public static void BindService(ServiceBinderBase binder, AdminProbeService? service)
    {
        ArgumentNullException.ThrowIfNull(binder);
        binder.AddMethod(PingMethod, service is null ? null : service.Ping);
    }
}

/// <summary>The probe's implementation: answers every call it is let through to.</summary>
public sealed class AdminProbe : AdminProbeService
{
    public override Task<Empty> Ping(Empty request, ServerCallContext context) => Task.FromResult(new Empty());
}
