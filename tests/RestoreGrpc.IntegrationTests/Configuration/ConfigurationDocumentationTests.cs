using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using RestoreGrpc.Server.Hosting;

namespace RestoreGrpc.IntegrationTests.Configuration;

/// <summary>
/// The README's configuration tables, the options classes and the shipped appsettings.json agree: every key the server
/// binds is documented, every documented key exists, every documented default is what the server really uses (the
/// appsettings value where it sets one, else the code default), and appsettings only holds values that differ from the
/// code defaults (on purpose, with a reason in its comments).
/// </summary>
public sealed partial class ConfigurationDocumentationTests
{
    /// <summary>Keys that are bound but are not settings a user gives (with why).</summary>
    private static readonly Dictionary<string, string> NotDocumented = new(StringComparer.Ordinal)
    {
        ["Restore:Models:Entries"] = "documented as Restore:Models:Entries:N:*, the catalog",
        ["Restore:Models:BatcherMaxBatch"] = "copied from Restore:Batching:MaxBatch at start-up",
    };

    private static readonly Lazy<IReadOnlyDictionary<string, string?>> CodeDefaults = new(ReadCodeDefaults);

    [Fact]
    public void Every_bound_key_is_in_the_README_and_every_README_key_is_bound()
    {
        Dictionary<string, string> documented = ReadmeDefaults();
        string[] undocumented = [.. CodeDefaults.Value.Keys.Where(key => !documented.ContainsKey(key) && !NotDocumented.ContainsKey(key)).Order(StringComparer.Ordinal)];
        Assert.True(undocumented.Length == 0, $"bound but not in the README's configuration table: {string.Join(", ", undocumented)}");

        string[] stale = [.. documented.Keys.Where(key => !key.EndsWith(":N:*", StringComparison.Ordinal) && !CodeDefaults.Value.ContainsKey(key)).Order(StringComparer.Ordinal)];
        Assert.True(stale.Length == 0, $"in the README but bound by no options class: {string.Join(", ", stale)}");
    }

    [Fact]
    public void Every_README_default_is_the_default_the_server_uses()
    {
        Dictionary<string, string?> shipped = Appsettings();
        var drift = new List<string>();
        foreach ((string key, string cell) in ReadmeDefaults())
        {
            if (Literal(cell) is not { } documented || !CodeDefaults.Value.TryGetValue(key, out string? code))
            {
                continue; // a described default ("(first ready SR model, …)") or a catalog row
            }

            string effective = shipped.TryGetValue(key, out string? set) ? set ?? string.Empty : code ?? string.Empty;
            if (!string.Equals(documented, effective, StringComparison.OrdinalIgnoreCase))
            {
                drift.Add($"{key}: README `{documented}`, server {effective}{(shipped.ContainsKey(key) ? " (appsettings.json)" : " (code)")}");
            }
        }

        Assert.True(drift.Count == 0, "README defaults that are not the server's: " + string.Join("; ", drift));
    }

    [Fact]
    public void Appsettings_sets_nothing_that_equals_the_code_default()
    {
        string[] repeated = [.. Appsettings()
            .Where(pair => CodeDefaults.Value.TryGetValue(pair.Key, out string? code) && string.Equals(code ?? string.Empty, pair.Value ?? string.Empty, StringComparison.OrdinalIgnoreCase))
            .Select(pair => $"{pair.Key} = {pair.Value}")];
        Assert.True(repeated.Length == 0, $"appsettings.json repeats code defaults (a second source of truth): {string.Join(", ", repeated)}");
    }

    /// <summary>Every key the server binds with its code default, from the sections the server registers.</summary>
    private static Dictionary<string, string?> ReadCodeDefaults()
    {
        using WebApplication app = RestoreServer.Build([]);
        var defaults = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (RestoreOptionsSection section in app.Services.GetServices<RestoreOptionsSection>())
        {
            object instance = Activator.CreateInstance(section.OptionsType)!;
            foreach (PropertyInfo property in section.OptionsType.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
            {
                defaults[$"{section.Section}:{property.Name}"] = Format(property.GetValue(instance));
            }
        }

        Assert.NotEmpty(defaults);
        return defaults;
    }

    private static string? Format(object? value) => value switch
    {
        null => null,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    /// <summary>Key → default cell of every README table row that documents a <c>Restore:</c> key.</summary>
    private static Dictionary<string, string> ReadmeDefaults()
    {
        var rows = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in File.ReadLines(Path.Combine(CheckoutRoot(), "README.md")))
        {
            if (TableRow().Match(line) is { Success: true } row)
            {
                Assert.True(rows.TryAdd(row.Groups["key"].Value, row.Groups["default"].Value.Trim()), $"{row.Groups["key"].Value} is documented twice");
            }
        }

        Assert.NotEmpty(rows);
        return rows;
    }

    /// <summary>The exact default a cell states: its leading <c>`value`</c>; null for a described default.</summary>
    private static string? Literal(string cell) => LeadingCode().Match(cell) is { Success: true } code ? code.Groups[1].Value : null;

    /// <summary>The shipped appsettings.json's <c>Restore:</c> keys (its comments skipped, its catalog left out).</summary>
    private static Dictionary<string, string?> Appsettings() =>
        new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(CheckoutRoot(), "src", "RestoreGrpc.Server", "appsettings.json"))
            .Build()
            .AsEnumerable()
            .Where(pair => pair.Key.StartsWith("Restore:", StringComparison.Ordinal) && !pair.Key.StartsWith("Restore:Models:Entries", StringComparison.Ordinal) && pair.Value is not null)
            .ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);

    private static string CheckoutRoot() => Telemetry.DeployConfigurationTests.CheckoutRoot();

    [GeneratedRegex(@"^\|\s*`(?<key>Restore:[^`]+)`\s*\|(?<default>[^|]*)\|")]
    private static partial Regex TableRow();

    [GeneratedRegex(@"^`([^`]*)`")]
    private static partial Regex LeadingCode();
}
