using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AlertPipeline.Testing.Faults;

/// <summary>What the proxy does with one SMTP connection.</summary>
public enum SmtpFault
{
    /// <summary>Relays the whole session.</summary>
    None,

    /// <summary>Answers <c>421 4.3.2 Service not available</c> instead of the greeting and closes: a refusing server.</summary>
    Refuse,

    /// <summary>Closes the connection at once, before any greeting.</summary>
    DropAtConnect,

    /// <summary>Relays until the client sends <c>DATA</c>, then cuts both sides: the message was never accepted.</summary>
    DropBeforeData,

    /// <summary>
    /// Relays the message and the end of data, waits (bounded, <see cref="SmtpFaultProxy.ReplyWait"/>) for the server's
    /// answer to it, then cuts the client off without relaying that answer and closes the server side politely: the
    /// server took the message (the sink stores it), its <c>250</c> was lost. The outcome is unknown to the sender, the
    /// SMTP twin of a lost Twilio answer.
    /// </summary>
    DropAfterData,

    /// <summary>
    /// Relays until the client's end of data, then cuts both sides without relaying it: the client has sent the whole
    /// message and gets no answer, the server never got the end of data and discards the message.
    /// </summary>
    DropAtEndOfData,
}

/// <summary>One connection the proxy refused or cut: when, how, the delivery reference of the message it carried
/// (its <c>X-AlertPipeline-Delivery</c> header, once the data had begun; null before), and for
/// <see cref="SmtpFault.DropAfterData"/> the server's answer to the end of data that the client never saw (null: none
/// came within <see cref="SmtpFaultProxy.ReplyWait"/>). <see cref="SmtpFault.None"/>: no fault, but the client went
/// away after its end of data and before the server's answer (a sender killed there); the proxy let the server answer.</summary>
public sealed record SmtpCut(DateTimeOffset At, SmtpFault Fault, string? Reference, string? ServerReply);

/// <summary>
/// A loopback TCP proxy in front of a real SMTP server (the aiosmtpd <see cref="SmtpSink"/>) that refuses or drops
/// connections as <see cref="Schedule"/> says, one decision per connection. It counts what it did by kind, and what it
/// saw of the client's data (<see cref="DataCommandsFromClient"/>, <see cref="DataBytesFromClient"/>, <see cref="EndsOfDataFromClient"/>, <see cref="SessionsEnded"/>).
/// </summary>
public sealed class SmtpFaultProxy : IAsyncDisposable
{
    private const string EndOfData = "\r\n.\r\n";
    private readonly TcpListener _listener;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<SmtpFault, int> _counts = new();
    private readonly Task _acceptLoop;
    private readonly ConcurrentQueue<SmtpCut> _cuts = new();
    private long _dataBytes;
    private int _dataCommands;
    private int _endsOfData;
    private int _sessionsEnded;

    private SmtpFaultProxy(TcpListener listener, int targetPort)
    {
        _listener = listener;
        _targetPort = targetPort;
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }

    /// <summary>Decides each new connection's fate (called once per connection; <see cref="SmtpFault.None"/> relays it).</summary>
    public Func<SmtpFault> Schedule { get; set; } = () => SmtpFault.None;

    /// <summary>Connections handled so far, by what was done to them.</summary>
    public IReadOnlyDictionary<SmtpFault, int> Counts => new Dictionary<SmtpFault, int>(_counts);

    /// <summary><c>DATA</c> commands the clients sent, all sessions.</summary>
    public int DataCommandsFromClient => Volatile.Read(ref _dataCommands);

    /// <summary>Bytes the clients sent after their <c>DATA</c> command (the message, as the proxy read it), all sessions.</summary>
    public long DataBytesFromClient => Interlocked.Read(ref _dataBytes);

    /// <summary>End-of-data sequences (<c>&lt;CRLF&gt;.&lt;CRLF&gt;</c> after <c>DATA</c>) the clients sent, all sessions.</summary>
    public int EndsOfDataFromClient => Volatile.Read(ref _endsOfData);

    /// <summary>
    /// How long a <see cref="SmtpFault.DropAfterData"/> cut waits for the server's answer to the end of data before it
    /// cuts the client anyway (the server then may not have stored the message: <see cref="SmtpCut.ServerReply"/> is null).
    /// </summary>
    public TimeSpan ReplyWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Every connection refused or cut so far, in the order the cuts happened.</summary>
    public IReadOnlyList<SmtpCut> Cuts => [.. _cuts];

    /// <summary>Sessions over (both sides closed or cut).</summary>
    public int SessionsEnded => Volatile.Read(ref _sessionsEnded);

    public static SmtpFaultProxy Start(int targetPort)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return new SmtpFaultProxy(listener, targetPort);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        try
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var fault = Schedule();
            _counts.AddOrUpdate(fault, 1, (_, n) => n + 1);
            _ = Task.Run(() => HandleAsync(client, fault));
        }
    }

    private async Task HandleAsync(TcpClient client, SmtpFault fault)
    {
        try
        {
            await RelayAsync(client, fault).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Increment(ref _sessionsEnded);
        }
    }

    private async Task RelayAsync(TcpClient client, SmtpFault fault)
    {
        using (client)
        {
            try
            {
                var downstream = client.GetStream();
                switch (fault)
                {
                    case SmtpFault.DropAtConnect:
                        _cuts.Enqueue(new SmtpCut(DateTimeOffset.UtcNow, fault, null, null));
                        client.Client.LingerState = new LingerOption(true, 0); // a reset, not a polite close
                        return;
                    case SmtpFault.Refuse:
                        _cuts.Enqueue(new SmtpCut(DateTimeOffset.UtcNow, fault, null, null));
                        await downstream.WriteAsync("421 4.3.2 Service not available, closing transmission channel\r\n"u8.ToArray(), _stopping.Token).ConfigureAwait(false);
                        return;
                }

                using var server = new TcpClient();
                await server.ConnectAsync(IPAddress.Loopback, _targetPort, _stopping.Token).ConfigureAwait(false);
                var upstream = server.GetStream();
                using var session = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                var state = new SessionState();
                var fromServer = PumpServerAsync(upstream, downstream, state, session);
                var fromClient = PumpClientAsync(downstream, upstream, fault, state, session);
                var first = await Task.WhenAny(fromServer, fromClient).ConfigureAwait(false);
                if (first == fromClient && fault == SmtpFault.None && state.AwaitingReply && !state.Reply.Task.IsCompleted)
                {
                    // The client went away after its end of data, before the server's answer (a killed sender). A real
                    // server goes on with a message it got the end of data for, whatever the client does next; the
                    // aiosmtpd sink would drop it on the closed connection (it cancels its handler), so let it answer
                    // first (bounded), and log the session so the run can tell this case apart.
                    string? reply = null;
                    try
                    {
                        reply = await state.Reply.Task.WaitAsync(ReplyWait, _stopping.Token).ConfigureAwait(false);
                    }
                    catch (TimeoutException)
                    {
                    }

                    _cuts.Enqueue(new SmtpCut(DateTimeOffset.UtcNow, SmtpFault.None, state.Reference, reply));
                }

                await session.CancelAsync().ConfigureAwait(false);
                client.Client.LingerState = new LingerOption(true, 0);
                if (state.Reply.Task.IsCompletedSuccessfully)
                {
                    // The server answered the end of data, so it has decided about the message: end its side with a
                    // FIN, as a client that went away would. A reset could make the server drop what it has not
                    // read yet (aiosmtpd cancels its handler on a lost connection), which is not this fault.
                    server.Client.Shutdown(SocketShutdown.Send);
                }
                else
                {
                    server.Client.LingerState = new LingerOption(true, 0);
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // A side went away: the session ends, as a real network would end it.
            }
        }
    }

    /// <summary>Client to server; for the drop faults, stops at the fault's point.</summary>
    private async Task PumpClientAsync(NetworkStream client, NetworkStream server, SmtpFault fault, SessionState state, CancellationTokenSource session)
    {
        var buffer = new byte[16 * 1024];
        var tail = new StringBuilder();
        while (true)
        {
            var read = await client.ReadAsync(buffer, session.Token).ConfigureAwait(false);
            if (read == 0)
            {
                return;
            }

            var text = Encoding.ASCII.GetString(buffer, 0, read);
            if (state.InData)
            {
                Interlocked.Add(ref _dataBytes, read);
                state.ReadHead(text);
            }

            tail.Append(text);
            if (tail.Length > 64)
            {
                tail.Remove(0, tail.Length - 64);
            }

            if (fault == SmtpFault.DropBeforeData && IsDataCommand(tail.ToString()))
            {
                _cuts.Enqueue(new SmtpCut(DateTimeOffset.UtcNow, fault, null, null));
                return; // the DATA command never reaches the server
            }

            var sawEndOfData = state.InData && tail.ToString().Contains(EndOfData, StringComparison.Ordinal);
            if (sawEndOfData)
            {
                state.InData = false;
                tail.Clear();
                Interlocked.Increment(ref _endsOfData);
                if (fault == SmtpFault.DropAtEndOfData)
                {
                    _cuts.Enqueue(new SmtpCut(DateTimeOffset.UtcNow, fault, state.Reference, null));
                    return; // the end of data never reaches the server
                }
            }
            else if (IsDataCommand(tail.ToString()))
            {
                state.InData = true;
                tail.Clear();
                Interlocked.Increment(ref _dataCommands);
            }

            var endOfData = fault == SmtpFault.DropAfterData && sawEndOfData;
            if (endOfData)
            {
                state.Muted = true; // from now on nothing the server says reaches the client
            }

            if (sawEndOfData)
            {
                state.AwaitingReply = true; // the server's next line is its answer to the end of data
            }

            await server.WriteAsync(buffer.AsMemory(0, read), session.Token).ConfigureAwait(false);
            if (endOfData)
            {
                // The whole message went to the server: wait for its answer (it has then stored the message, or
                // refused it), and cut the client off without relaying it.
                string? reply;
                try
                {
                    reply = await state.Reply.Task.WaitAsync(ReplyWait, session.Token).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    reply = null;
                }

                _cuts.Enqueue(new SmtpCut(DateTimeOffset.UtcNow, fault, state.Reference, reply));
                return;
            }
        }
    }

    private static async Task PumpServerAsync(NetworkStream server, NetworkStream client, SessionState state, CancellationTokenSource session)
    {
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var read = await server.ReadAsync(buffer, session.Token).ConfigureAwait(false);
            if (read == 0)
            {
                return;
            }

            if (state.AwaitingReply)
            {
                state.ReadReply(Encoding.ASCII.GetString(buffer, 0, read));
            }

            if (state.Muted)
            {
                continue;
            }

            await client.WriteAsync(buffer.AsMemory(0, read), session.Token).ConfigureAwait(false);
        }
    }

    private sealed class SessionState
    {
        private readonly StringBuilder _head = new();
        private readonly StringBuilder _reply = new();

        public volatile bool Muted;

        /// <summary>The end of data went to the server; its answer is the next line it sends.</summary>
        public volatile bool AwaitingReply;

        /// <summary>Between the client's <c>DATA</c> and its end of data.</summary>
        public bool InData;

        /// <summary>The server's first line after the end of data.</summary>
        public TaskCompletionSource<string> Reply { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The message's delivery reference, once its headers went by.</summary>
        public string? Reference { get; private set; }

        /// <summary>Keeps the start of the data (at most 16 KB, the headers) until the reference is found.</summary>
        public void ReadHead(string text)
        {
            if (Reference is not null || _head.Length > 16 * 1024)
            {
                return;
            }

            _head.Append(text);
            Reference = ReferenceIn(_head.ToString());
        }

        public void ReadReply(string text)
        {
            _reply.Append(text);
            var line = _reply.ToString();
            var end = line.IndexOf("\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                Reply.TrySetResult(line[..end]);
            }
        }
    }

    /// <summary>The <c>X-AlertPipeline-Delivery</c> header's value in the start of a message (unfolded), or null.</summary>
    public static string? ReferenceIn(string messageStart)
    {
        ArgumentNullException.ThrowIfNull(messageStart);
        var name = "\r\n" + Infrastructure.Email.SmtpEmailSender.DeliveryHeader + ":";
        var text = "\r\n" + messageStart;
        var headersEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var start = text.IndexOf(name, StringComparison.OrdinalIgnoreCase);
        if (start < 0 || (headersEnd >= 0 && start > headersEnd))
        {
            return null;
        }

        var value = new StringBuilder();
        var at = start + name.Length;
        while (true)
        {
            var end = text.IndexOf("\r\n", at, StringComparison.Ordinal);
            if (end < 0)
            {
                return null; // the header's line is not complete yet
            }

            value.Append(text, at, end - at);
            if (end + 2 < text.Length && text[end + 2] is ' ' or '\t')
            {
                at = end + 2; // a folded continuation line
                continue;
            }

            if (end + 2 >= text.Length)
            {
                return null; // a continuation may still come
            }

            var reference = value.ToString().Trim();
            return reference.Length == 0 ? null : reference;
        }
    }

    private static bool IsDataCommand(string tail)
    {
        var index = tail.LastIndexOf("DATA\r\n", StringComparison.OrdinalIgnoreCase);
        return index == 0 || (index > 0 && tail[index - 1] == '\n');
    }
}
