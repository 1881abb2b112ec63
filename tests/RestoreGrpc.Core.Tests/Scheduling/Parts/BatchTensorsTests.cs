using RestoreGrpc.Core.Scheduling;

namespace RestoreGrpc.Core.Tests.Scheduling.Parts;

public sealed class BatchTensorsTests
{
    [Fact]
    public void A_batch_of_one_runs_on_its_callers_buffers()
    {
        QueuedItem item = SchedulingParts.Item(BatchOwner.Anonymous(), value: 7);
        using BatchTensors tensors = BatchTensors.Gather([item], item.Key);
        Assert.Same(item.Input, tensors.Input);
        Assert.Same(item.Output, tensors.Output);
    }

    [Fact]
    public void A_larger_batch_gathers_inputs_in_order_and_scatters_each_output_back()
    {
        ShapeKey key = SchedulingParts.Key(new SchedulingParts.IdentityModel(scale: 2));
        QueuedItem[] items = [.. Enumerable.Range(1, 3).Select(i => SchedulingParts.Item(BatchOwner.Anonymous(), key, i))];
        using BatchTensors tensors = BatchTensors.Gather(items, key);

        Assert.Equal(Enumerable.Range(1, 3).SelectMany(i => Enumerable.Repeat((float)i, key.InputLength)), tensors.Input.Take(3 * key.InputLength));
        for (int i = 0; i < 3; i++)
        {
            tensors.Output.AsSpan(i * key.OutputLength, key.OutputLength).Fill(10 * (i + 1));
        }

        tensors.Scatter(1);
        Assert.All(items[1].Output, value => Assert.Equal(20f, value));
        Assert.All(items[0].Output, value => Assert.Equal(0f, value));
        tensors.Dispose();
        tensors.Dispose(); // returned to the pool once
    }
}
