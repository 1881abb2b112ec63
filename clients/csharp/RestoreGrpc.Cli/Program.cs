using RestoreGrpc.Cli;

return await RestoreCli.RunAsync(args, Console.Out, Console.Error, CancellationToken.None).ConfigureAwait(false);
