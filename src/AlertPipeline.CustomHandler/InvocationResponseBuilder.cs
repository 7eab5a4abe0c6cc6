using System.Text.Json;

namespace AlertPipeline.CustomHandler;

/// <summary>
/// Builds an <see cref="InvocationResponse"/>. Every output message must serialise to a JSON object: the host base64-decodes
/// string outputs that happen to be valid base64, so bare strings are refused. One message per binding is sent as an object,
/// several as an array (the host writes one message per element).
/// </summary>
public sealed class InvocationResponseBuilder
{
    private readonly Dictionary<string, List<JsonElement>> _outputs = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _logs = [];
    private JsonElement? _returnValue;

    /// <summary>Adds one message to an output binding (queue or Service Bus).</summary>
    public InvocationResponseBuilder AddOutput<T>(string bindingName, T message, JsonSerializerOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(bindingName);
        var element = JsonSerializer.SerializeToElement(message, options ?? CustomHandlerJson.MessageOptions);
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException(
                $"Output '{bindingName}' must serialise to a JSON object, not {PayloadValues.Describe(element)}: the host base64-decodes " +
                "string outputs that look like base64 and splits arrays. Wrap the value in a record.",
                nameof(message));
        }

        if (!_outputs.TryGetValue(bindingName, out var list))
        {
            _outputs[bindingName] = list = [];
        }

        list.Add(element);
        return this;
    }

    /// <summary>Adds several messages to an output binding.</summary>
    public InvocationResponseBuilder AddOutputs<T>(string bindingName, IEnumerable<T> messages, JsonSerializerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        foreach (var message in messages)
        {
            AddOutput(bindingName, message, options);
        }

        return this;
    }

    /// <summary>Adds a line for the host's log. Never a phone number or an email.</summary>
    public InvocationResponseBuilder Log(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        _logs.Add(line);
        return this;
    }

    /// <summary>Sets the value of a <c>$return</c> binding (an object, for the same reason as outputs).</summary>
    public InvocationResponseBuilder ReturnValue<T>(T value, JsonSerializerOptions? options = null)
    {
        var element = JsonSerializer.SerializeToElement(value, options ?? CustomHandlerJson.MessageOptions);
        if (element.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array or JsonValueKind.Null))
        {
            throw new ArgumentException($"ReturnValue must serialise to a JSON object or array, not {PayloadValues.Describe(element)}.", nameof(value));
        }

        _returnValue = element;
        return this;
    }

    public InvocationResponse Build()
    {
        var outputs = new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);
        foreach (var (binding, messages) in _outputs)
        {
            outputs[binding] = messages.Count == 1
                ? messages[0]
                : JsonSerializer.SerializeToElement(messages, CustomHandlerJson.EnvelopeOptions);
        }

        return new InvocationResponse { Outputs = outputs, Logs = _logs.ToArray(), ReturnValue = _returnValue };
    }
}
