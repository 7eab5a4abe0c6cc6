using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using AlertPipeline.Testing;

namespace AlertPipeline.UnitTests;

internal static class TestAssemblySetup
{
    /// <summary>Accepts the drama range (+44 7700 900xxx) as phone numbers before any test runs: see <see cref="FictionalNumbers"/>.</summary>
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries", Justification = "A test assembly's one-time setting, not a library.")]
    internal static void AcceptFictionalNumbers() => FictionalNumbers.Accept();
}
