using System.Xml;
using Azure;
using Azure.Core;

namespace AlertPipeline.Infrastructure.Storage.Queues;

/// <summary>
/// Reads a Storage error (<c>x-ms-error-code</c> and <c>&lt;Error&gt;&lt;Code/&gt;&lt;Message/&gt;…&lt;/Error&gt;</c>) into
/// <see cref="RequestFailedException.ErrorCode"/> and its message; other child elements (e.g. AuthenticationErrorDetail) go to Data.
/// </summary>
internal sealed class QueueErrorParser : RequestFailedDetailsParser
{
    public static readonly QueueErrorParser Instance = new();

    public override bool TryParse(Response response, out ResponseError? error, out IDictionary<string, string>? data)
    {
        string? code = response.Headers.TryGetValue("x-ms-error-code", out var header) ? header : null;
        string? message = null;
        data = null;
        try
        {
            var content = response.Content;
            if (content is not null && content.ToMemory().Length > 0)
            {
                var root = QueueXml.Load(content.ToStream()).Root;
                if (root is not null && root.Name.LocalName == "Error")
                {
                    foreach (var child in root.Elements())
                    {
                        switch (child.Name.LocalName)
                        {
                            case "Code":
                                code ??= child.Value;
                                break;
                            case "Message":
                                message = child.Value;
                                break;
                            default:
                                data ??= new Dictionary<string, string>();
                                data[child.Name.LocalName] = child.Value;
                                break;
                        }
                    }
                }
            }
        }
        catch (XmlException)
        {
            // Not XML (a proxy's HTML page, say): the header and status still tell what happened.
        }
        catch (InvalidOperationException)
        {
            // The content was not buffered; nothing more to read.
        }

        if (code is null && message is null)
        {
            error = null;
            return false;
        }

        error = new ResponseError(code, message ?? response.ReasonPhrase);
        return true;
    }
}
