using RestoreGrpc.Client;
using RestoreGrpc.Client.Streaming;

namespace RestoreGrpc.Cli.Tests.Sdk;

/// <summary>The SDK's tile-stream resumption budget, walked on a simulated clock (each failed try taken as instant).</summary>
public sealed class StreamReconnectPolicyTests
{
    /// <summary>How long the policy keeps trying through one outage that never ends, and how many tries it makes.</summary>
    private static (TimeSpan Tried, int Tries) Exhaust(StreamReconnectPolicy policy)
    {
        TimeSpan outage = TimeSpan.Zero;
        int tries = 0;
        while (policy.NextDelay(tries + 1, outage, tries) is { } delay)
        {
            outage += delay;
            tries++;
        }

        return (outage, tries);
    }

    [Fact]
    public void By_default_a_stream_keeps_resuming_through_a_server_restart_of_30_s()
    {
        (TimeSpan tried, int tries) = Exhaust(new StreamReconnectPolicy(new RestoreClientOptions()));

        // A restart takes 11-15 s; the SDK used to give up after 5 tries, 7.75 s.
        Assert.True(tried >= TimeSpan.FromSeconds(30), $"gave up after {tried.TotalSeconds} s");
        Assert.True(tried <= TimeSpan.FromSeconds(30.001), $"kept trying for {tried.TotalSeconds} s");
        Assert.InRange(tries, 8, 20);
    }

    [Fact]
    public void The_window_is_configurable_and_back_off_doubles_up_to_its_cap()
    {
        var policy = new StreamReconnectPolicy(new RestoreClientOptions
        {
            StreamReconnectWindow = TimeSpan.FromSeconds(3),
            InitialBackoff = TimeSpan.FromMilliseconds(100),
            MaxBackoff = TimeSpan.FromSeconds(1),
        });

        Assert.Equal(TimeSpan.FromMilliseconds(100), policy.NextDelay(1, TimeSpan.Zero, 0));
        Assert.Equal(TimeSpan.FromMilliseconds(400), policy.NextDelay(3, TimeSpan.FromMilliseconds(300), 2));
        Assert.Equal(TimeSpan.FromSeconds(1), policy.NextDelay(6, TimeSpan.FromSeconds(1), 5));
        Assert.Equal(TimeSpan.FromMilliseconds(500), policy.NextDelay(7, TimeSpan.FromSeconds(2.5), 6)); // lands on the window's end
        Assert.Null(policy.NextDelay(8, TimeSpan.FromSeconds(3), 7));
        Assert.Equal(TimeSpan.FromSeconds(3), Exhaust(policy).Tried);
    }

    [Fact]
    public void Max_stream_reconnects_caps_the_resumptions_of_one_call()
    {
        var policy = new StreamReconnectPolicy(new RestoreClientOptions { MaxStreamReconnects = 2 });

        Assert.NotNull(policy.NextDelay(1, TimeSpan.Zero, 1));
        Assert.Null(policy.NextDelay(1, TimeSpan.Zero, 2));
    }
}
