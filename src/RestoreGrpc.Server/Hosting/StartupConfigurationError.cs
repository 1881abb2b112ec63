using Microsoft.Extensions.Options;

namespace RestoreGrpc.Server.Hosting;

/// <summary>
/// A setting the server refused before it started serving: told as one line naming the key, with exit code
/// <see cref="ExitCode"/>, instead of an unhandled exception's abort and stack trace. Other start-up failures keep
/// their stack traces: they are bugs, not configuration.
/// </summary>
public static class StartupConfigurationError
{
    /// <summary>sysexits.h's EX_CONFIG: a configuration error.</summary>
    public const int ExitCode = 78;

    private const string BinderAssembly = "Microsoft.Extensions.Configuration.Binder";

    /// <summary>The line to print when <paramref name="error"/> is a refused setting; otherwise null.</summary>
    public static string? Describe(Exception error) => error switch
    {
        OptionsValidationException validation => $"restoregrpc: not started, invalid configuration: {string.Join("; ", validation.Failures)}",
        // The binder's own refusals: a key no options class has, a value of the wrong type.
        InvalidOperationException binding when binding.Source == BinderAssembly =>
            $"restoregrpc: not started, invalid configuration: {BinderMessage(binding)}",
        _ => null,
    };

    /// <summary>The binder's innermost message: for an element of a list (<c>Entries:0:Precision=half</c>) the outer
    /// one only says that binding failed, the inner one names the key, the value and the type.</summary>
    private static string BinderMessage(Exception error)
    {
        while (error.InnerException is { Source: BinderAssembly } inner)
        {
            error = inner;
        }

        return error.Message;
    }
}
