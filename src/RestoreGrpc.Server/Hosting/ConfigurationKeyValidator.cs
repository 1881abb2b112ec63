using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Options;

namespace RestoreGrpc.Server.Hosting;

/// <summary>
/// Data-annotation validation whose failures name the configuration key (<c>Restore:Encoding:PngCompressionLevel</c>,
/// <c>Restore:Models:Entries:2:Scale</c>) and the value found, so a bad setting stops the start with a message that
/// says what to fix. Lists whose property carries <see cref="ValidateEnumeratedItemsAttribute"/> are validated item by
/// item, and objects whose property carries <see cref="ValidateObjectMembersAttribute"/> member by member.
/// </summary>
internal sealed class ConfigurationKeyValidator<TOptions>(string section) : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        Collect(options, section, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Collect(object instance, string prefix, List<string> failures)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(instance, new ValidationContext(instance), results, validateAllProperties: true);
        foreach (ValidationResult result in results)
        {
            foreach (string member in result.MemberNames.DefaultIfEmpty(string.Empty))
            {
                string key = member.Length == 0 ? prefix : $"{prefix}:{member}";
                object? value = member.Length == 0 ? null : instance.GetType().GetProperty(member)?.GetValue(instance);
                string shown = value is null ? "(unset)" : Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;
                failures.Add($"{key} = {shown}: {result.ErrorMessage}");
            }
        }

        foreach (PropertyInfo property in instance.GetType().GetProperties())
        {
            if (property.GetCustomAttribute<ValidateObjectMembersAttribute>() is not null && property.GetValue(instance) is { } member)
            {
                Collect(member, $"{prefix}:{property.Name}", failures);
                continue;
            }

            if (property.GetCustomAttribute<ValidateEnumeratedItemsAttribute>() is null || property.GetValue(instance) is not IEnumerable items)
            {
                continue;
            }

            int index = 0;
            foreach (object? item in items)
            {
                if (item is not null)
                {
                    Collect(item, $"{prefix}:{property.Name}:{index}", failures);
                }

                index++;
            }
        }
    }
}
