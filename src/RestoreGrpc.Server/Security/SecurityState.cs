namespace RestoreGrpc.Server.Security;

/// <summary>What <see cref="Hosting.RestoreSecurityExtensions.AddRestoreSecurity"/> set up, for the pipeline.</summary>
/// <param name="Authentication">An authentication scheme is registered (client certificates so far).</param>
internal sealed record SecurityState(bool Authentication);
