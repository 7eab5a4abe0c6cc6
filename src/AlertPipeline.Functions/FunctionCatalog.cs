using AlertPipeline.Functions.Api;
using AlertPipeline.Functions.Functions;
using AlertPipeline.Functions.Health;
using AlertPipeline.Functions.Hosting;

namespace AlertPipeline.Functions;

/// <summary>
/// Every function of the app. Each entry must match its hand-written <c>functions/&lt;Name&gt;/function.json</c>
/// (trigger type, queue names, connections, schedule, route, methods): FunctionCatalogConsistencyTests fail otherwise.
/// To add a function, see docs/functions.md.
/// </summary>
public static class FunctionCatalog
{
    public static IReadOnlyList<FunctionRegistration> All { get; } =
    [
        HealthCheckFunction.Registration,
        ScheduleTickFunction.Registration,
        FunctionRegistration.Invoked<FanOutFunction>(FanOutFunction.Definition),
        FunctionRegistration.Invoked<FanOutChunkFunction>(FanOutChunkFunction.Definition),
        FunctionRegistration.Invoked<SendSmsFunction>(SendSmsFunction.Definition),
        FunctionRegistration.Invoked<SendEmailFunction>(SendEmailFunction.Definition),
        TwilioStatusFunction.Registration,
        TwilioInboundFunction.Registration,
        .. OrganiserApi.Registrations,
        ApiDocument.Registration,
    ];
}
