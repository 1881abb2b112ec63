namespace RestoreGrpc.Server.Security;

/// <summary>What <see cref="Hosting.RestoreSecurityExtensions.AddRestoreSecurity"/> set up, for the pipeline.</summary>
/// <param name="Authentication">An authentication scheme is registered (client certificates, or <c>Restore:Auth</c>).</param>
/// <param name="Authorization">Restore:Auth is on: endpoints carry policies, and the authorization middleware runs.</param>
internal sealed record SecurityState(bool Authentication, bool Authorization);
