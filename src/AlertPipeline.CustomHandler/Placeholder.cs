namespace AlertPipeline.CustomHandler;

internal static class Placeholder;
