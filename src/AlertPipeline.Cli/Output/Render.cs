using System.Globalization;
using System.Text.Json;
using AlertPipeline.Cli.Api;
using Spectre.Console;

namespace AlertPipeline.Cli.Output;

/// <summary>Tables, messages and errors on an <see cref="IAnsiConsole"/>; every value is escaped (ids are not markup).</summary>
internal static class Render
{
    public static readonly JsonSerializerOptions IndentedJson = new(ApiClient.Json) { WriteIndented = true };

    /// <summary><c>error: message</c>; the message is written unwrapped so it can be copied and grepped.</summary>
    public static void Error(IAnsiConsole console, string message) => Labelled(console, "[red]error:[/] ", message);

    public static void Warning(IAnsiConsole console, string message) => Labelled(console, "[yellow]warning:[/] ", message);

    private static void Labelled(IAnsiConsole console, string label, string message)
    {
        console.Markup(label);
        console.Profile.Out.Writer.WriteLine(message);
        console.Profile.Out.Writer.Flush();
    }

    public static void Success(IAnsiConsole console, string message) =>
        console.MarkupLine($"[green]{Markup.Escape(message)}[/]");

    /// <summary>A problem answer: its status and title, then each named field (or the detail when it names none), then a hint.</summary>
    public static void Problem(IAnsiConsole console, ApiProblemException problem)
    {
        console.MarkupLine($"[red]error:[/] {(int)problem.Status} {Markup.Escape(problem.Title)}");
        if (problem.Errors.Count > 0)
        {
            foreach (var error in problem.Errors)
            {
                console.MarkupLine($"  [bold]{Markup.Escape(error.Field)}[/]: {Markup.Escape(error.Message)}");
            }
        }
        else if (!string.IsNullOrWhiteSpace(problem.Detail))
        {
            console.WriteLine("  " + problem.Detail);
        }

        if (problem.Hint is { } hint)
        {
            console.MarkupLine($"[grey]{Markup.Escape(hint)}[/]");
        }
    }

    public static Table Table(params string[] columns)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var column in columns)
        {
            table.AddColumn(new TableColumn(Markup.Escape(column)));
        }

        return table;
    }

    public static void Row(this Table table, params string?[] cells) =>
        table.AddRow(cells.Select(c => (Spectre.Console.Rendering.IRenderable)new Text(c ?? "—")).ToArray());

    public static string Time(DateTimeOffset? value) =>
        value is { } v ? v.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "—";

    public static string YesNo(bool value) => value ? "yes" : "no";

    /// <summary>
    /// Any JSON answer as a table: an object with <c>items</c> becomes one row per item (the items' scalar properties as
    /// columns), any other object a property/value table; nested values are shown as compact JSON.
    /// </summary>
    public static void Json(IAnsiConsole console, JsonElement value, string? emptyMessage = null)
    {
        if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array)
        {
            Items(console, items, emptyMessage);
            return;
        }

        if (value.ValueKind == JsonValueKind.Array)
        {
            Items(console, value, emptyMessage);
            return;
        }

        console.Write(Properties(value));
    }

    public static Table Properties(JsonElement value)
    {
        var table = Table("field", "value");
        if (value.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in value.EnumerateObject())
            {
                table.Row(property.Name, Cell(property.Value));
            }
        }
        else
        {
            table.Row("value", Cell(value));
        }

        return table;
    }

    public static void Items(IAnsiConsole console, JsonElement items, string? emptyMessage)
    {
        var rows = items.EnumerateArray().ToList();
        if (rows.Count == 0)
        {
            console.WriteLine(emptyMessage ?? "Nothing to show.");
            return;
        }

        var columns = rows.Where(r => r.ValueKind == JsonValueKind.Object)
            .SelectMany(r => r.EnumerateObject().Select(p => p.Name))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var table = Table([.. columns]);
        foreach (var row in rows)
        {
            table.Row([.. columns.Select(c => row.ValueKind == JsonValueKind.Object && row.TryGetProperty(c, out var v) ? Cell(v) : null)]);
        }

        console.Write(table);
    }

    public static string Cell(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Null or JsonValueKind.Undefined => "—",
        JsonValueKind.True => "yes",
        JsonValueKind.False => "no",
        JsonValueKind.Number => value.GetRawText(),
        _ => Shorten(value.GetRawText(), 200),
    };

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
