using Microsoft.Extensions.Time.Testing;
using RestoreGrpc.Server.Services;

namespace RestoreGrpc.IntegrationTests.Security;

/// <summary>The idle timeout counts only while the server waits for the client: tiles in flight on the server stop
/// it, however long inference takes.</summary>
public sealed class StreamIdleWatchTests
{
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(10);

    [Fact]
    public void A_silent_client_expires_after_the_idle_timeout()
    {
        var time = new FakeTimeProvider();
        using var watch = new StreamIdleWatch(Idle, time);
        time.Advance(Idle - TimeSpan.FromMilliseconds(1));
        Assert.False(watch.HasExpired);
        time.Advance(TimeSpan.FromMilliseconds(2));
        Assert.True(watch.HasExpired);
    }

    [Fact]
    public void Every_client_message_restarts_it()
    {
        var time = new FakeTimeProvider();
        using var watch = new StreamIdleWatch(Idle, time);
        for (int i = 0; i < 5; i++)
        {
            time.Advance(Idle * 0.9);
            watch.Received(tile: false);
        }

        Assert.False(watch.HasExpired);
    }

    [Fact]
    public void Tiles_in_flight_stop_it_until_the_last_one_is_sent()
    {
        var time = new FakeTimeProvider();
        using var watch = new StreamIdleWatch(Idle, time);
        watch.Received(tile: true);
        watch.Received(tile: true);
        time.Advance(Idle * 10); // long inference
        Assert.False(watch.HasExpired);
        watch.Sent();
        time.Advance(Idle * 10);
        Assert.False(watch.HasExpired);
        watch.Sent();
        time.Advance(Idle + TimeSpan.FromSeconds(1));
        Assert.True(watch.HasExpired);
    }

    [Fact]
    public void Off_when_no_timeout_is_configured()
    {
        var time = new FakeTimeProvider();
        using var watch = new StreamIdleWatch(null, time);
        time.Advance(TimeSpan.FromDays(1));
        Assert.False(watch.HasExpired);
    }
}
