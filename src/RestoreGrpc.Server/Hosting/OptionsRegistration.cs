using Microsoft.Extensions.Options;

namespace RestoreGrpc.Server.Hosting;

/// <summary>
/// The one way options are bound: a class per configuration section, bound once, validated by its data annotations
/// at start-up (<see cref="ConfigurationKeyValidator{TOptions}"/> names the failing key), and consumed as
/// <see cref="IOptions{TOptions}"/>. A key the class does not have (a typo) also stops the start.
/// </summary>
public static class OptionsRegistration
{
    public static OptionsBuilder<TOptions> AddRestoreOptions<TOptions>(this IServiceCollection services, IConfiguration configuration, string section)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddSingleton<IValidateOptions<TOptions>>(new ConfigurationKeyValidator<TOptions>(section));
        services.AddSingleton(new RestoreOptionsSection(section, typeof(TOptions)));
        return services.AddOptions<TOptions>()
            .Bind(configuration.GetSection(section), binder => binder.ErrorOnUnknownConfiguration = true)
            .ValidateOnStart();
    }
}
