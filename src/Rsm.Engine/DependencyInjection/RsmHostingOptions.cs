namespace Rsm;

/// <summary>How the hosted controllers (<c>AddRsm(...).AddHostedControllers()</c>) start and stop with the host.</summary>
public sealed class RsmHostingOptions
{
    /// <summary>
    /// The longest the host's stop waits for one controller to close (its imports disconnected, its exports destroyed,
    /// its connections and threads ended); a controller that takes longer is logged and left to finish on its own while
    /// the next one is closed. 10 seconds by default; from 1 millisecond to 1 hour.
    /// </summary>
    [Rsm.DependencyInjection.TimeSpanRange("00:00:00.001", "01:00:00")]
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
