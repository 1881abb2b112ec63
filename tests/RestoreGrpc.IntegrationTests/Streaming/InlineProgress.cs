namespace RestoreGrpc.IntegrationTests.Streaming;

/// <summary>Reports synchronously on the reporting thread (<see cref="Progress{T}"/> posts to the thread pool).</summary>
internal sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
