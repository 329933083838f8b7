using System.Collections.Concurrent;
using Rsm.Engine;
using Rsm.Interop;

namespace Rsm.Providers.SharedMemory.Internal;

/// <summary>A socket the reactor watches.</summary>
internal interface IReactorHandler
{
    /// <summary>The watched socket; only the reactor closes it, when the handler is removed.</summary>
    SafeDescriptorHandle Socket { get; }

    /// <summary>Called on the reactor thread when the socket is readable or closed.</summary>
    /// <returns>False to be called again shortly (the node's lock was busy); the reactor never blocks on it.</returns>
    bool OnReadable();
}

/// <summary>
/// One thread per provider that polls every rendezvous socket of the process: listeners, admitted importers and
/// links to exporters. Handlers run on it and never block on a node's lock, so a thread that holds the lock may
/// wait for the reactor.
/// </summary>
internal sealed unsafe class SocketReactor : IDisposable
{
    private static readonly TimeSpan s_removalLimit = TimeSpan.FromSeconds(10);
    private readonly ConcurrentQueue<Change> _changes = new();
    private readonly List<IReactorHandler> _handlers = [];
    private readonly HashSet<IReactorHandler> _live = [];
    private readonly HashSet<IReactorHandler> _retry = [];
    private readonly SafeDescriptorHandle _wake;
    private readonly Thread _thread;
    private volatile bool _stopping;

    public SocketReactor()
    {
        _wake = Libc.eventfd(0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
        if (_wake.IsInvalid)
        {
            _wake.Dispose();
            throw RsmThrow.Create(RsmError.InsufficientResources, "the rendezvous reactor could not create its wake-up eventfd");
        }

        _thread = new Thread(Run) { IsBackground = true, Name = "Rsm SharedMemory reactor" };
        _thread.Start();
    }

    /// <summary>Whether the reactor still serves its sockets (it stops only when disposed).</summary>
    public bool IsRunning => !_stopping && _thread.IsAlive;

    private bool OnReactorThread => Environment.CurrentManagedThreadId == _thread.ManagedThreadId;

    /// <summary>Starts watching <paramref name="handler"/>.</summary>
    public void Add(IReactorHandler handler)
    {
        if (OnReactorThread)
        {
            Watch(handler);
            return;
        }

        _changes.Enqueue(new Change(handler, Add: true, null));
        Wake();
    }

    /// <summary>Stops watching <paramref name="handler"/> and closes its socket; returns once the socket is closed.</summary>
    public void Remove(IReactorHandler handler)
    {
        if (OnReactorThread || _stopping)
        {
            RemoveNow(handler);
            return;
        }

        using var done = new ManualResetEventSlim();
        _changes.Enqueue(new Change(handler, Add: false, done));
        Wake();
        if (!done.Wait(s_removalLimit))
        {
            throw new TimeoutException("The rendezvous reactor did not release a socket within 10 seconds.");
        }
    }

    public void Dispose()
    {
        _stopping = true;
        Wake();
        if (!OnReactorThread)
        {
            _thread.Join(s_removalLimit);
        }

        _wake.Dispose();
    }

    private void Wake()
    {
        ulong one = 1;
        try
        {
            _ = Libc.write(_wake, &one, sizeof(ulong));
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void Watch(IReactorHandler handler)
    {
        if (_live.Add(handler))
        {
            _handlers.Add(handler);
        }
    }

    private void RemoveNow(IReactorHandler handler)
    {
        if (_live.Remove(handler))
        {
            _ = _handlers.Remove(handler);
        }

        _retry.Remove(handler);
        handler.Socket.Dispose();
    }

    private void ApplyChanges()
    {
        while (_changes.TryDequeue(out Change change))
        {
            if (change.Add)
            {
                Watch(change.Handler);
            }
            else
            {
                RemoveNow(change.Handler);
                change.Done?.Set();
            }
        }
    }

    private void Run()
    {
        var fds = new Libc.PollFd[16];
        var watched = new IReactorHandler[16];
        while (!_stopping)
        {
            ApplyChanges();
            int count = _handlers.Count;
            if (fds.Length < count + 1)
            {
                fds = new Libc.PollFd[(count + 1) * 2];
                watched = new IReactorHandler[(count + 1) * 2];
            }

            fds[0] = new Libc.PollFd { Fd = _wake.Number, Events = Libc.POLLIN };
            for (int i = 0; i < count; i++)
            {
                watched[i] = _handlers[i];
                fds[i + 1] = new Libc.PollFd { Fd = _handlers[i].Socket.Number, Events = Libc.POLLIN };
            }

            int ready;
            fixed (Libc.PollFd* p = fds)
            {
                ready = Libc.poll(p, (nuint)(count + 1), _retry.Count > 0 ? 1 : -1);
            }

            if (ready < 0)
            {
                continue;
            }

            if (fds[0].REvents != 0)
            {
                ulong drained;
                _ = Libc.read(_wake, &drained, sizeof(ulong));
            }

            for (int i = 0; i < count; i++)
            {
                IReactorHandler handler = watched[i];
                watched[i] = null!;
                if ((fds[i + 1].REvents == 0 && !_retry.Contains(handler)) || !_live.Contains(handler))
                {
                    continue;
                }

                Dispatch(handler);
            }
        }

        ApplyChanges();
        foreach (IReactorHandler handler in _handlers.ToArray())
        {
            RemoveNow(handler);
        }
    }

    private void Dispatch(IReactorHandler handler)
    {
        bool handled;
        try
        {
            handled = handler.OnReadable();
        }
        catch (Exception)
        {
            // A failing peer or handler costs its own socket, never the reactor and the other connections.
            RemoveNow(handler);
            return;
        }

        if (handled)
        {
            _retry.Remove(handler);
        }
        else
        {
            _retry.Add(handler);
        }
    }

    private readonly record struct Change(IReactorHandler Handler, bool Add, ManualResetEventSlim? Done);
}
