using Microsoft.Extensions.Options;
using RestoreGrpc.Server.Hosting;

WebApplication app;
try
{
    app = RestoreServer.Build(args);
    // Settings are checked here, before the host starts, so a refused one is a line naming its key, not an abort.
    app.Services.GetService<IStartupValidator>()?.Validate();
}
catch (Exception e) when (StartupConfigurationError.Describe(e) is { } message)
{
    await Console.Error.WriteLineAsync(message);
    return StartupConfigurationError.ExitCode;
}

await app.RunAsync();
return 0;
