using Grpc.AspNetCore.Web;
using Microsoft.AspNetCore.Server.Kestrel;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.FileProviders;

namespace RestoreGrpc.Server.Hosting;

/// <summary>
/// The web page (clients/web, built into the server's <c>wwwroot</c>) at <c>/</c>, and gRPC-Web for every service
/// (on by default, so services mapped later are covered too). Protocols: the <see cref="WebEndpoint"/> speaks HTTP/1.1
/// (browsers have no cleartext HTTP/2); https endpoints offer HTTP/1.1 and HTTP/2 by ALPN, so one TLS port serves both
/// browsers and native gRPC; plaintext gRPC endpoints stay HTTP/2-only (prior knowledge).
/// </summary>
public static partial class WebPageHosting
{
    /// <summary>Shown at <c>/</c> when the server was built without the page (npm was missing).</summary>
    private const string NotBuiltPage = """
        <!doctype html><html lang="en"><meta charset="utf-8"><title>RestoreGrpc</title>
        <h1>RestoreGrpc</h1>
        <p>This server was built without its web page: npm was not found when it was built.</p>
        <p>Install Node.js and npm (Debian: <code>apt-get install nodejs npm protobuf-compiler</code>) and build the server again
        (<code>dotnet build src/RestoreGrpc.Server</code> runs <code>npm ci</code> and the page's build in <code>clients/web</code>).</p>
        <p>gRPC clients (the <code>restore</code> CLI, the SDKs, grpcurl with reflection) work without it.</p>
        </html>
        """;

    public static void AddRestoreWebPage(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddRestoreOptions<WebPageOptions>(builder.Configuration, WebPageOptions.Section);
        var webEndpoint = new WebEndpoint();
        builder.Services.AddSingleton(webEndpoint);
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            // One configuration loader holds every named endpoint's hook (the metrics endpoint's too): reuse it.
            KestrelConfigurationLoader loader = kestrel.ConfigurationLoader ?? kestrel.Configure(context.Configuration.GetSection("Kestrel"), reloadOnChange: false);
            foreach (IConfigurationSection endpoint in context.Configuration.GetSection("Kestrel:Endpoints").GetChildren())
            {
                if (string.Equals(endpoint.Key, Telemetry.MetricsEndpoint.Name, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                bool web = string.Equals(endpoint.Key, WebEndpoint.Name, StringComparison.OrdinalIgnoreCase);
                loader.Endpoint(endpoint.Key, configured =>
                {
                    if (configured.ConfigSection["Protocols"] is null && (web || configured.IsHttps))
                    {
                        configured.ListenOptions.Protocols = configured.IsHttps ? HttpProtocols.Http1AndHttp2 : HttpProtocols.Http1;
                    }

                    if (web)
                    {
                        webEndpoint.Listen = configured.ListenOptions;
                        webEndpoint.IsHttps = configured.IsHttps;
                    }
                });
            }
        });
    }

    /// <summary>gRPC-Web for every gRPC endpoint and the page's files; call before the services are mapped.</summary>
    public static void UseRestoreWebPage(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!Enabled(app.Configuration))
        {
            app.MapGet("/", () => "RestoreGrpc: a gRPC server (HTTP/2). Use the restore CLI, an SDK, or grpcurl with reflection.");
            return;
        }

        app.UseGrpcWeb(new GrpcWebOptions { DefaultEnabled = true });
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            ILogger logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(WebPageHosting).FullName!);
            if (app.Services.GetRequiredService<WebEndpoint>().Listen is null)
            {
                LogNoWebEndpoint(logger);
            }
            else
            {
                Uri page = app.WebAddress();
                LogWebPage(logger, page);
            }
        });
        IFileProvider files = app.Environment.WebRootFileProvider;
        if (files.GetFileInfo("index.html").Exists)
        {
            app.UseDefaultFiles();
            app.UseStaticFiles();
        }
        else
        {
            app.MapGet("/", () => Results.Content(NotBuiltPage, "text/html; charset=utf-8"));
        }
    }

    /// <summary>The page's URL once started (the real port when started on port 0).</summary>
    public static Uri WebAddress(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        WebEndpoint endpoint = app.Services.GetRequiredService<WebEndpoint>();
        ListenOptions listen = endpoint.Listen
            ?? throw new InvalidOperationException($"no web endpoint: set Kestrel:Endpoints:{WebEndpoint.Name}:Url");
        return new Uri($"{(endpoint.IsHttps ? Uri.UriSchemeHttps : Uri.UriSchemeHttp)}://{listen.IPEndPoint}/");
    }

    private static bool Enabled(IConfiguration configuration) =>
        configuration.GetSection(WebPageOptions.Section).Get<WebPageOptions>()?.Enabled ?? true;

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Web page: {WebUrl}")]
    private static partial void LogWebPage(ILogger logger, Uri webUrl);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "Web page: served on every endpoint; browsers need HTTP/1.1: set Kestrel:Endpoints:Web:Url for a plaintext one (https endpoints offer it by ALPN)")]
    private static partial void LogNoWebEndpoint(ILogger logger);
}
