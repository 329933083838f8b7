namespace Rsm.Samples.Sockets.Internal;

/// <summary>A listener or connection of the provider, stopped when the provider is disposed.</summary>
internal interface IProviderResource
{
    /// <summary>Closes the socket; the thread serving it ends on its own.</summary>
    void Stop();
}
