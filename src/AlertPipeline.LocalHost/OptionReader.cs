using System.Globalization;

namespace AlertPipeline.LocalHost;

/// <summary>Walks <c>--name value</c> options of a command line; every error names the option.</summary>
internal sealed class OptionReader(IReadOnlyList<string> args, int start)
{
    private int _next = start;

    /// <summary>The option being read.</summary>
    public string Name { get; private set; } = string.Empty;

    public bool MoveNext()
    {
        if (_next >= args.Count)
        {
            return false;
        }

        Name = args[_next++];
        return true;
    }

    public string Value() =>
        _next < args.Count && !args[_next].StartsWith("--", StringComparison.Ordinal)
            ? args[_next++]
            : throw new FormatException($"{Name} needs a value.");

    public string FullPath() => Path.GetFullPath(Value());

    public TimeSpan Duration() => LocalHostCommandLine.ParseDuration(Name, Value());

    public int Port()
    {
        var text = Value();
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535
            ? port
            : throw new FormatException($"{Name} must be a TCP port (0–65535), not '{text}'.");
    }
}
