using AlertPipeline.CustomHandler.Configuration;

namespace AlertPipeline.Functions.Hosting;

/// <summary>Registers and maps the app's functions.</summary>
public static class FunctionEndpointExtensions
{
    /// <summary>Registers every function of <paramref name="registrations"/> (normally <see cref="FunctionCatalog.All"/>).</summary>
    public static IServiceCollection AddFunctionApp(this IServiceCollection services, IEnumerable<FunctionRegistration> registrations)
    {
        ArgumentNullException.ThrowIfNull(registrations);
        foreach (var registration in registrations)
        {
            services.AddFunction(registration);
        }

        services.AddHostedService<ParentHostWatch>();
        return services;
    }

    /// <summary>Registers one function (tests use this to add a function of their own).</summary>
    public static IServiceCollection AddFunction(this IServiceCollection services, FunctionRegistration registration)
    {
        ArgumentNullException.ThrowIfNull(registration);
        services.AddSingleton(registration);
        if (registration.FunctionType is { } type)
        {
            services.AddScoped(type);
        }

        return services;
    }

    /// <summary>
    /// Maps <c>GET /</c> (the host's start-up probe), <c>POST /{Name}</c> for each invoked function and the forwarded
    /// endpoint of each HTTP function. Throws at start-up when two functions share a name.
    /// </summary>
    public static WebApplication MapFunctionApp(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/", () => Results.Ok()).WithName("StartupProbe").ExcludeFromDescription();

        var registrations = app.Services.GetServices<FunctionRegistration>().ToList();
        var duplicate = registrations.GroupBy(r => r.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Function '{duplicate.Key}' is registered {duplicate.Count()} times.");
        }

        foreach (var registration in registrations)
        {
            if (registration.FunctionType is not null)
            {
                app.MapPost(FunctionRoutes.InvocationPath(registration.Name), context => FunctionInvoker.InvokeAsync(context, registration))
                    .WithName(registration.Name)
                    .ExcludeFromDescription();
            }
            else
            {
                registration.MapHttp!(app);
            }
        }

        return app;
    }

    /// <summary>
    /// Maps a forwarded HTTP function at <c>/api/{route}</c> for the methods of its httpTrigger (all methods when it lists none),
    /// so the route cannot drift from the definition.
    /// </summary>
    public static RouteHandlerBuilder MapHttpFunction(this IEndpointRouteBuilder endpoints, FunctionDefinition definition, Delegate handler)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(handler);
        var trigger = (HttpTriggerBinding)definition.Trigger;
        var path = FunctionRoutes.HttpPath(definition);
        var builder = trigger.Methods.Count == 0
            ? endpoints.Map(path, handler)
            : endpoints.MapMethods(path, trigger.Methods.Select(m => m.ToUpperInvariant()).ToArray(), handler);
        return builder.WithName(definition.Name);
    }
}
