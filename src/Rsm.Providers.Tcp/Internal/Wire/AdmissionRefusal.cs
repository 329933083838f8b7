namespace Rsm.Providers.Tcp.Internal.Wire;

/// <summary>
/// Why an acceptor refused a dialer that proved the cluster key, as carried by an <see cref="Opcode.Refused"/> frame.
/// </summary>
internal enum AdmissionRefusal : uint
{
    /// <summary>Admitted.</summary>
    None = 0,

    /// <summary>The claimed node id is above the acceptor's MaxNodes.</summary>
    OutOfRange = 1,

    /// <summary>The claimed node id is the acceptor's own, and the connection is not a dial of the acceptor's own process.</summary>
    OwnNodeId = 2,

    /// <summary>Only listed nodes are admitted, and the claimed node id is not listed.</summary>
    NotListed = 3,

    /// <summary>A connection dialed by the claimed node id is open already.</summary>
    AlreadyConnected = 4,

    /// <summary>A code this side does not know.</summary>
    Other = 0xFFFFFFFF,
}

/// <summary>Texts and conversions of <see cref="AdmissionRefusal"/>.</summary>
internal static class AdmissionRefusals
{
    /// <summary>The key under which a refusal's <see cref="AdmissionRefusal"/> is stored in the exception's <see cref="Exception.Data"/>.</summary>
    public const string DataKey = "Rsm.Tcp.AdmissionRefusal";

    /// <summary>What a refusal means, for a log line or an exception message.</summary>
    public static string Describe(AdmissionRefusal refusal, uint claimedId, uint maxNodes) => refusal switch
    {
        AdmissionRefusal.OutOfRange => $"node id {claimedId} is above the highest node id {maxNodes}",
        AdmissionRefusal.OwnNodeId => $"node id {claimedId} is the acceptor's own",
        AdmissionRefusal.NotListed => $"node id {claimedId} is not in the acceptor's node directory",
        AdmissionRefusal.AlreadyConnected => $"node {claimedId} already has a live connection to the acceptor",
        _ => $"node id {claimedId} is not admitted",
    };

    /// <summary>What a refusal received from an acceptor means (the dialer does not know the acceptor's limits).</summary>
    public static string Describe(AdmissionRefusal refusal, uint claimedId) => refusal switch
    {
        AdmissionRefusal.OutOfRange => $"node id {claimedId} is above its highest node id",
        AdmissionRefusal.OwnNodeId => $"node id {claimedId} is its own",
        AdmissionRefusal.NotListed => $"node id {claimedId} is not in its node directory",
        AdmissionRefusal.AlreadyConnected => $"node {claimedId} already has a live connection to it",
        _ => $"node id {claimedId} is not admitted",
    };

    /// <summary>The refusal an exception carries, or <see cref="AdmissionRefusal.None"/>.</summary>
    public static AdmissionRefusal Of(Exception? exception) =>
        exception?.Data[DataKey] is AdmissionRefusal refusal ? refusal : exception?.InnerException is { } inner ? Of(inner) : AdmissionRefusal.None;

    /// <summary>Marks <paramref name="exception"/> as carrying <paramref name="refusal"/>.</summary>
    public static T With<T>(this T exception, AdmissionRefusal refusal)
        where T : Exception
    {
        exception.Data[DataKey] = refusal;
        return exception;
    }
}
