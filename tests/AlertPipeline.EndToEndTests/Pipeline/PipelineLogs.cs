using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace AlertPipeline.EndToEndTests.Pipeline;

/// <summary>
/// Every log line of a run, as text: the local host's own (formatted message and exception, at Debug and up) and any
/// raw lines added with <see cref="AddRaw"/> (a handler's unfiltered stdout, a local host process's console). Warnings and
/// up also go to the test output.
/// </summary>
public sealed class PipelineLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ITestOutputHelper? _output;

    public PipelineLogs(ITestOutputHelper? output = null)
    {
        _output = output;
        Factory = LoggerFactory.Create(logging => logging.SetMinimumLevel(LogLevel.Debug).AddProvider(this));
    }

    public ILoggerFactory Factory { get; }

    public IReadOnlyList<string> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddRaw(string source, string? line)
    {
        if (line is not null)
        {
            _lines.Enqueue($"[{source}] {line}");
        }
    }

    public void Dispose() => Factory.Dispose();

    private void WriteOutput(string line)
    {
        try
        {
            _output?.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // The test has finished.
        }
    }

    private sealed class Logger(PipelineLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = $"{DateTime.Now:HH:mm:ss.fff} {logLevel} {category}[{eventId.Id}]: {formatter(state, exception)}{(exception is null ? string.Empty : " | " + exception)}";
            owner._lines.Enqueue(line);
            if (logLevel >= LogLevel.Warning)
            {
                owner.WriteOutput(line);
            }
        }
    }
}
