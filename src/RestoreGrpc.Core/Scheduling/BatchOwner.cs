namespace RestoreGrpc.Core.Scheduling;

/// <summary>Who an item belongs to, for fairness: tenants take turns, then requests within a tenant.</summary>
/// <param name="Request">Identifies the request (any object; compared by reference).</param>
/// <param name="Tenant">Client or tenant, from call metadata; empty for anonymous.</param>
public sealed record BatchOwner(object Request, string Tenant = "", SchedulingPriority Priority = SchedulingPriority.Interactive)
{
    public static BatchOwner Anonymous() => new(new object());
}
