using AlertPipeline.CustomHandler.Configuration;

namespace AlertPipeline.Functions.Hosting;

/// <summary>
/// One function of the app: the bindings its function.json must declare (checked by the consistency test) and how it is
/// served: an <see cref="IFunction"/> behind <c>POST /{Name}</c>, or a forwarded HTTP endpoint mapped by <see cref="MapHttp"/>.
/// </summary>
public sealed record FunctionRegistration
{
    private FunctionRegistration(FunctionDefinition definition, Type? functionType, Action<IEndpointRouteBuilder>? mapHttp)
    {
        Definition = definition;
        FunctionType = functionType;
        MapHttp = mapHttp;
    }

    public FunctionDefinition Definition { get; }

    public string Name => Definition.Name;

    /// <summary>The <see cref="IFunction"/> implementation, for invoked (non-HTTP) functions.</summary>
    public Type? FunctionType { get; }

    /// <summary>Maps the forwarded HTTP endpoint, for HTTP-triggered functions.</summary>
    public Action<IEndpointRouteBuilder>? MapHttp { get; }

    /// <summary>A queue, Service Bus or timer function served by <typeparamref name="TFunction"/> at <c>POST /{Name}</c>.</summary>
    public static FunctionRegistration Invoked<TFunction>(FunctionDefinition definition)
        where TFunction : class, IFunction
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (definition.Trigger is HttpTriggerBinding)
        {
            throw new ArgumentException(
                $"Function '{definition.Name}' has an httpTrigger: with request forwarding it is served by an HTTP endpoint; use Http(...).",
                nameof(definition));
        }

        return new FunctionRegistration(definition, typeof(TFunction), null);
    }

    /// <summary>
    /// An HTTP-triggered function (forwarded: the original request arrives on <c>/api/{route}</c>). <paramref name="map"/>
    /// maps it, normally with <see cref="FunctionEndpointExtensions.MapHttpFunction"/>.
    /// </summary>
    public static FunctionRegistration Http(FunctionDefinition definition, Action<IEndpointRouteBuilder> map)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(map);
        if (definition.Trigger is not HttpTriggerBinding || !definition.Bindings.OfType<HttpOutputBinding>().Any())
        {
            throw new ArgumentException(
                $"Function '{definition.Name}' needs one httpTrigger and one http output to be forwarded.", nameof(definition));
        }

        return new FunctionRegistration(definition, null, map);
    }
}
