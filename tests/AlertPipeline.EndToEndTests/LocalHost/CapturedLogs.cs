using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace AlertPipeline.EndToEndTests.LocalHost;

/// <summary>
/// Captures a local host's structured logs (Debug and up) so tests can assert on events; Warning and up also go to the
/// test output (everything, with timestamps, when the environment variable ALERTPIPELINE_TEST_LOGS is "all").
/// </summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private static readonly LogLevel OutputLevel =
        Environment.GetEnvironmentVariable("ALERTPIPELINE_TEST_LOGS") == "all" ? LogLevel.Debug : LogLevel.Warning;

    private readonly ConcurrentQueue<Entry> _entries = new();
    private readonly ITestOutputHelper? _output;
    private readonly string _label;

    public CapturedLogs(ITestOutputHelper? output = null, string label = "host")
    {
        _output = output;
        _label = label;
        Factory = LoggerFactory.Create(logging => logging.SetMinimumLevel(LogLevel.Debug).AddProvider(this));
    }

    public ILoggerFactory Factory { get; }

    public IReadOnlyList<Entry> Entries => _entries.ToArray();

    /// <summary>The entries of one event (the local host's [LoggerMessage] event ids).</summary>
    public IReadOnlyList<Entry> Events(int eventId) => _entries.Where(e => e.EventId == eventId).ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() => Factory.Dispose();

    public sealed record Entry(string Category, LogLevel Level, int EventId, string Message, IReadOnlyDictionary<string, object?> Properties)
    {
        public string? Property(string name) => Properties.TryGetValue(name, out var value) ? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var properties = new Dictionary<string, object?>(StringComparer.Ordinal);
            if (state is IReadOnlyList<KeyValuePair<string, object?>> pairs)
            {
                foreach (var (key, value) in pairs)
                {
                    properties[key] = value;
                }
            }

            var message = formatter(state, exception);
            owner._entries.Enqueue(new Entry(category, logLevel, eventId.Id, message, properties));
            if (logLevel >= OutputLevel && owner._output is { } output)
            {
                try
                {
                    output.WriteLine($"{DateTime.Now:HH:mm:ss.fff} [{owner._label}] {logLevel}: {message}{(exception is null ? string.Empty : " — " + exception.GetType().Name + ": " + exception.Message)}");
                }
                catch (InvalidOperationException)
                {
                    // The test has finished.
                }
            }
        }
    }
}
