using System.Reflection;
using Microsoft.Extensions.Logging;
using RestoreGrpc.Core.Models;
using RestoreGrpc.Server.Hosting;

namespace RestoreGrpc.IntegrationTests.Telemetry;

/// <summary>
/// Every log message of the server and the core has its own event id, so a log query or an alert on an id (the
/// README names some: 2001 the model folder, 3104 a reset unread response) finds that message and no other.
/// </summary>
public sealed class LogEventIdTests
{
    [Fact]
    public void Every_logger_message_has_an_event_id_of_its_own()
    {
        Assembly[] assemblies = [typeof(RestoreServer).Assembly, typeof(ModelCatalog).Assembly];
        var messages = assemblies
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(m => (Method: $"{m.DeclaringType!.FullName}.{m.Name}", Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(m => m.Attribute is not null)
            .ToList();

        Assert.True(messages.Count > 20, $"found only {messages.Count} logger messages: the scan is broken");
        string[] shared = [.. messages
            .GroupBy(m => m.Attribute!.EventId)
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Method))}")];
        Assert.True(shared.Length == 0, "event ids used more than once: " + string.Join(" | ", shared));
        Assert.All(messages, m => Assert.True(m.Attribute!.EventId > 0, $"{m.Method} has no event id"));
    }
}
