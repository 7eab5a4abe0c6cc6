using System.Reflection;
using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AlertPipeline.Core.Contacts;
using AlertPipeline.Core.Pipeline;
using AlertPipeline.Infrastructure.Persistence;

namespace AlertPipeline.InfraTests;

/// <summary>
/// What the app needs from its environment, read from its code by reflection (never a hand list): queue and table
/// names, connection names, named settings, and the options classes bound from configuration sections.
/// </summary>
public static class AppSurface
{
    private const BindingFlags Constants = BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>The app's assemblies: the function app and the libraries it is built from.</summary>
    public static IReadOnlyList<Assembly> Assemblies { get; } =
        new[] { "AlertPipeline.Core", "AlertPipeline.Infrastructure", "AlertPipeline.Functions" }.Select(Assembly.Load).ToList();

    /// <summary>The .NET version the function app targets ("10.0" for net10.0).</summary>
    public static string DotnetVersion
    {
        get
        {
            var framework = Assemblies.Single(a => a.GetName().Name == "AlertPipeline.Functions").GetCustomAttribute<TargetFrameworkAttribute>()!;
            return new FrameworkName(framework.FrameworkName).Version.ToString(2);
        }
    }

    /// <summary>Every queue name the pipeline uses (the constants of <see cref="QueueNames"/>).</summary>
    public static IReadOnlyList<string> Queues { get; } = ConstantStrings(typeof(QueueNames)).ToList();

    /// <summary>The dispatch queues, one per channel (Service Bus queues in Azure).</summary>
    public static IReadOnlyList<string> DispatchQueues { get; } = Enum.GetValues<Channel>().Select(QueueNames.DispatchFor).Distinct().ToList();

    /// <summary>
    /// Every table the app reads or writes: <see cref="PipelineTables.All"/>, every <c>TableName</c> constant, and the
    /// default of every <c>…Table</c> string property of an options class.
    /// </summary>
    public static IReadOnlyList<string> Tables { get; } =
        PipelineTables.All
            .Concat(AllTypes().SelectMany(t => t.GetFields(Constants)).Where(f => f.Name == "TableName" && f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!))
            .Concat(OptionsDefaults(p => p.Name.EndsWith("Table", StringComparison.Ordinal)))
            .Distinct(StringComparer.Ordinal)
            .ToList();

    /// <summary>Every Blob container the app reads or writes: every <c>ContainerName</c> constant.</summary>
    public static IReadOnlyList<string> BlobContainers { get; } =
        AllTypes().SelectMany(t => t.GetFields(Constants))
            .Where(f => f.Name == "ContainerName" && f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .Distinct(StringComparer.Ordinal)
            .ToList();

    /// <summary>
    /// The connection names (Functions-style: a connection string, or <c>{name}__…</c> identity settings): every
    /// <c>…Connection</c> / <c>…ConnectionName</c> constant, the default of every <c>ConnectionName</c> option, every
    /// <c>Connection</c> of a trigger or binding attribute, and every connection string of local.settings.json.template.
    /// </summary>
    public static IReadOnlyList<string> ConnectionNames { get; } =
        AllTypes().SelectMany(t => t.GetFields(Constants))
            .Where(f => f.IsLiteral && f.FieldType == typeof(string) && (f.Name.EndsWith("Connection", StringComparison.Ordinal) || f.Name.EndsWith("ConnectionName", StringComparison.Ordinal)))
            .Select(f => (string)f.GetRawConstantValue()!)
            .Concat(OptionsDefaults(p => p.Name == "ConnectionName"))
            .Concat(FunctionAttributes().SelectMany(a => a.NamedArguments).Where(n => n.MemberName == "Connection").Select(n => n.TypedValue.Value as string).OfType<string>())
            .Concat(LocalSettings().Where(s => LooksLikeConnection(s.Value)).Select(s => s.Key))
            .Where(name => name.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .ToList();

    /// <summary>
    /// Settings named by binding expressions (<c>%Name%</c>) in the functions' trigger and binding attributes, e.g. a timer's
    /// schedule: the host cannot index the function without them.
    /// </summary>
    public static IReadOnlyList<string> BindingExpressionSettings { get; } =
        FunctionAttributes()
            .SelectMany(a => a.ConstructorArguments.Concat(a.NamedArguments.Select(n => n.TypedValue)))
            .Select(argument => argument.Value as string)
            .OfType<string>()
            .SelectMany(text => Regex.Matches(text, "%(?<name>[^%]+)%").Select(m => m.Groups["name"].Value))
            .Distinct(StringComparer.Ordinal)
            .ToList();

    /// <summary>Settings read by name outside an options class (every <c>SettingName</c> constant, e.g. RecipientHashKey).</summary>
    public static IReadOnlyList<string> NamedSettings { get; } =
        AllTypes().SelectMany(t => t.GetFields(Constants))
            .Where(f => f.IsLiteral && f.Name == "SettingName")
            .Select(f => (string)f.GetRawConstantValue()!)
            .Distinct(StringComparer.Ordinal)
            .ToList();

    /// <summary>Options classes: a <c>SectionName</c> constant and a public parameterless constructor.</summary>
    public static IReadOnlyList<OptionsClass> Options { get; } =
        AllTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && t.GetConstructor(Type.EmptyTypes) is not null)
            .Select(t => (Type: t, Section: t.GetField("SectionName", Constants)))
            .Where(x => x.Section is { IsLiteral: true } && x.Section.FieldType == typeof(string))
            .Select(x => new OptionsClass(x.Type, (string)x.Section!.GetRawConstantValue()!))
            .ToList();

    /// <summary>Options classes without a section constant that still bind a section by name prefix (e.g. TwilioWebhookOptions → Twilio).</summary>
    public static IEnumerable<Type> UnnamedOptionsFor(string section) =>
        AllTypes().Where(t => t is { IsClass: true, IsAbstract: false }
            && t.Name.EndsWith("Options", StringComparison.Ordinal)
            && t.Name.StartsWith(section.Replace(":", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal)
            && t.GetField("SectionName", Constants) is null);

    /// <summary>The trigger and binding attributes on the functions' methods, parameters and return values.</summary>
    private static IEnumerable<CustomAttributeData> FunctionAttributes() =>
        AllTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .SelectMany(m => m.CustomAttributes
                .Concat(m.GetParameters().SelectMany(p => p.CustomAttributes))
                .Concat(m.ReturnParameter.CustomAttributes))
            .Where(a => a.AttributeType.Namespace?.StartsWith("Microsoft.Azure.Functions", StringComparison.Ordinal) == true);

    /// <summary>The values of the committed local.settings.json.template (the settings the app documents).</summary>
    private static IEnumerable<KeyValuePair<string, string>> LocalSettings()
    {
        var path = Path.Combine(Bicep.RepositoryRoot, "local.settings.json.template");
        if (!File.Exists(path))
        {
            return [];
        }

        var values = JsonNode.Parse(File.ReadAllText(path))?["Values"]?.AsObject() ?? [];
        return values.Select(p => new KeyValuePair<string, string>(p.Key, p.Value?.ToString() ?? string.Empty));
    }

    private static bool LooksLikeConnection(string value) =>
        value.StartsWith("UseDevelopmentStorage=", StringComparison.OrdinalIgnoreCase)
        || value.Contains("AccountName=", StringComparison.OrdinalIgnoreCase)
        || value.StartsWith("Endpoint=sb://", StringComparison.OrdinalIgnoreCase);

    private static IEnumerable<string> OptionsDefaults(Func<PropertyInfo, bool> select) =>
        AllTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && t.Name.EndsWith("Options", StringComparison.Ordinal) && t.GetConstructor(Type.EmptyTypes) is not null)
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.PropertyType == typeof(string) && p.CanRead && select(p))
                .Select(p => p.GetValue(Activator.CreateInstance(t)) as string))
            .OfType<string>()
            .Where(value => value.Length > 0);

    private static IEnumerable<string> ConstantStrings(Type type) =>
        type.GetFields(Constants).Where(f => f.IsLiteral && f.FieldType == typeof(string)).Select(f => (string)f.GetRawConstantValue()!);

    private static IEnumerable<Type> AllTypes() =>
        Assemblies.SelectMany(a =>
        {
            try
            {
                return a.GetTypes();
            }
            catch (ReflectionTypeLoadException ex)
            {
                return ex.Types.OfType<Type>();
            }
        });
}

/// <summary>An options class bound from <see cref="Section"/>.</summary>
public sealed partial record OptionsClass(Type Type, string Section)
{
    /// <summary>Public settable properties: the keys the section may hold.</summary>
    public IReadOnlyList<string> Keys { get; } =
        Type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.SetMethod!.IsPublic).Select(p => p.Name).ToList();

    /// <summary>
    /// What the class requires: each problem its <c>Validate()</c> reports for the defaults (nothing configured), as the
    /// keys the message names (<c>Section:Key</c>); setting any one of them answers that problem ("set exactly one of A and B").
    /// Empty when the class has no <c>Validate()</c> or its defaults are valid.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<string>> RequiredWithoutSettings()
    {
        var validate = Type.GetMethod("Validate", BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes);
        if (validate is null || !typeof(IEnumerable<string>).IsAssignableFrom(validate.ReturnType))
        {
            return [];
        }

        var errors = (IEnumerable<string>)validate.Invoke(Activator.CreateInstance(Type), null)!;
        var key = new Regex($@"\b{Regex.Escape(Section)}:(?<key>[A-Za-z]+)\b");
        // A problem that names no key of the section cannot be answered by any setting: it comes back as its message, so
        // the test fails showing it.
        return errors.Select(error => (IReadOnlyList<string>)(key.Matches(error) is { Count: > 0 } matches
                ? matches.Select(m => $"{Section}:{m.Groups["key"].Value}").Distinct().ToList()
                : [$"(no key named) {error}"]))
            .ToList();
    }
}
