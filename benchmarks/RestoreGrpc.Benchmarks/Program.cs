using RestoreGrpc.Benchmarks;

// The benchmarks (BenchmarkModes): run from the repository root, e.g.
//   dotnet run -c Release --project benchmarks/RestoreGrpc.Benchmarks -- --models ../shared/models --image ../shared/images/astronaut.png
//   dotnet run -c Release --project benchmarks/RestoreGrpc.Benchmarks -- --sweep --help
return await BenchmarkCommandLine.RunAsync(args);
