using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

// The isolated-worker entry point, as a Functions app has it: the worker reads --functions-uri and the other
// --functions-* switches the host passes and connects to the host's gRPC server.
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
await builder.Build().RunAsync();
