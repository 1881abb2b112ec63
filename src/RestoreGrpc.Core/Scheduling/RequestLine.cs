namespace RestoreGrpc.Core.Scheduling;

/// <summary>One request's items of one shape, in arrival order, with the virtual-clock tick it was last served at.</summary>
internal sealed class RequestLine(object request, string tenant)
{
    public object Request { get; } = request;

    public string Tenant { get; } = tenant;

    public LinkedList<QueuedItem> Items { get; } = new();

    public long ServedAt { get; set; }

    public QueuedItem? Head => Items.First?.Value;
}
