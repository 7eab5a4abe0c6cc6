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
    /// Relays the message (the sink stores it) but cuts the client off before it reads the server's answer to the end
    /// of data: the outcome is unknown to the sender, the SMTP twin of a lost Twilio answer.
    /// </summary>
    DropAfterData,

    /// <summary>
    /// Relays until the client's end of data, then cuts both sides without relaying it: the client has sent the whole
    /// message and gets no answer, the server never got the end of data and discards the message.
    /// </summary>
    DropAtEndOfData,
}

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
                        client.Client.LingerState = new LingerOption(true, 0); // a reset, not a polite close
                        return;
                    case SmtpFault.Refuse:
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
                await Task.WhenAny(fromServer, fromClient).ConfigureAwait(false);
                await session.CancelAsync().ConfigureAwait(false);
                client.Client.LingerState = new LingerOption(true, 0);
                server.Client.LingerState = new LingerOption(true, 0);
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
            }

            tail.Append(text);
            if (tail.Length > 64)
            {
                tail.Remove(0, tail.Length - 64);
            }

            if (fault == SmtpFault.DropBeforeData && IsDataCommand(tail.ToString()))
            {
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

            await server.WriteAsync(buffer.AsMemory(0, read), session.Token).ConfigureAwait(false);
            if (endOfData)
            {
                // The whole message went to the server; give it a moment to store it, then cut the client off
                // before it can read the 250.
                await Task.Delay(TimeSpan.FromMilliseconds(300), session.Token).ConfigureAwait(false);
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

            if (state.Muted)
            {
                continue;
            }

            await client.WriteAsync(buffer.AsMemory(0, read), session.Token).ConfigureAwait(false);
        }
    }

    private sealed class SessionState
    {
        public volatile bool Muted;

        /// <summary>Between the client's <c>DATA</c> and its end of data.</summary>
        public bool InData;
    }

    private static bool IsDataCommand(string tail)
    {
        var index = tail.LastIndexOf("DATA\r\n", StringComparison.OrdinalIgnoreCase);
        return index == 0 || (index > 0 && tail[index - 1] == '\n');
    }
}
