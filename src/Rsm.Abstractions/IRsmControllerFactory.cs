namespace Rsm;

/// <summary>Resolves controller names to reference-counted controllers (<c>rsm_get_controller</c>).</summary>
public interface IRsmControllerFactory
{
    /// <summary>
    /// Returns the controller named <paramref name="name"/>, opening it on first use; the same name returns the
    /// same reference-counted instance. <c>rsm_get_controller</c>.
    /// </summary>
    /// <param name="name">A configured controller name such as <c>loopback</c>, <c>shm0</c> or <c>tcp0</c>; <see langword="null"/> means <c>loopback</c>.
    /// A trailing unit number is ignored for <c>loopback</c> (<c>loopback5</c> is <c>loopback</c>).</param>
    /// <returns>The controller; release it with <see cref="IRsmController.Release"/> or <see cref="IDisposable.Dispose"/>.</returns>
    /// <exception cref="RsmException">ControllerNotPresent (4) for an unknown name; BadLibraryVersion (1) when the provider reports a version other than 1;
    /// BadConfiguration (44) when the controller's options are invalid (the message names the configuration path).</exception>
    IRsmController GetController(string? name);
}
