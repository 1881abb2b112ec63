using RestoreGrpc.Server.Hosting;

WebApplication app = RestoreServer.Build(args);
await app.RunAsync();
