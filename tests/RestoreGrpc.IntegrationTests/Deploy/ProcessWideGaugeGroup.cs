namespace RestoreGrpc.IntegrationTests.Deploy;

/// <summary>
/// Tests that read a process-wide gauge as one server's value (the memory budget gauge sums every server's budget in
/// the process, as it must for a host embedding several) run alone, so no other test's server is counted in it.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideGaugeGroup
{
    public const string Name = "process-wide gauges";
}
