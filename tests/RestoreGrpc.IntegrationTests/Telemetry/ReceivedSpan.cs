using System.Text.Json;

namespace RestoreGrpc.IntegrationTests.Telemetry;

/// <summary>One span as an OTLP receiver got it (OTLP/JSON: resourceSpans → scopeSpans → spans).</summary>
internal sealed record ReceivedSpan(
    string Scope,
    string Name,
    string TraceId,
    string SpanId,
    string? ParentSpanId,
    int Kind,
    IReadOnlyList<(string TraceId, string SpanId)> Links,
    IReadOnlyDictionary<string, string> Attributes)
{
    /// <summary>OTLP span kinds.</summary>
    public const int Internal = 1;
    public const int Server = 2;
    public const int Client = 3;

    public static IReadOnlyList<ReceivedSpan> FromOtlpJson(JsonElement data)
    {
        var spans = new List<ReceivedSpan>();
        foreach (JsonElement resource in data.GetProperty("resourceSpans").EnumerateArray())
        {
            foreach (JsonElement scope in resource.GetProperty("scopeSpans").EnumerateArray())
            {
                string scopeName = scope.GetProperty("scope").GetProperty("name").GetString() ?? string.Empty;
                foreach (JsonElement span in scope.GetProperty("spans").EnumerateArray())
                {
                    spans.Add(new ReceivedSpan(
                        scopeName,
                        span.GetProperty("name").GetString()!,
                        span.GetProperty("traceId").GetString()!,
                        span.GetProperty("spanId").GetString()!,
                        span.TryGetProperty("parentSpanId", out JsonElement parent) ? parent.GetString() : null,
                        span.TryGetProperty("kind", out JsonElement kind) ? kind.GetInt32() : 0,
                        span.TryGetProperty("links", out JsonElement links) && links.ValueKind == JsonValueKind.Array
                            ? links.EnumerateArray().Select(l => (l.GetProperty("traceId").GetString()!, l.GetProperty("spanId").GetString()!)).ToList()
                            : [],
                        span.TryGetProperty("attributes", out JsonElement attributes) && attributes.ValueKind == JsonValueKind.Array
                            ? attributes.EnumerateArray().ToDictionary(
                                a => a.GetProperty("key").GetString()!,
                                a => a.GetProperty("value").EnumerateObject().First().Value.ToString())
                            : new Dictionary<string, string>()));
                }
            }
        }

        return spans;
    }
}
