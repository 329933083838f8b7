namespace Rsm.Engine;

/// <summary>The owner/group/other check of RSMAPI 5.3.</summary>
public static class AccessCheck
{
    /// <summary>
    /// Decides whether <paramref name="importer"/> may connect with <paramref name="requested"/> to a segment owned by
    /// <paramref name="exporterUid"/>/<paramref name="exporterGid"/> whose granted mode for the importer's node is <paramref name="grantedMode"/>.
    /// </summary>
    /// <param name="requested">The permission asked for (bits within 0600).</param>
    /// <param name="grantedMode">Three octal digits, already masked with 0666.</param>
    /// <param name="importer">The importer's proven credentials.</param>
    /// <param name="exporterUid">The exporter's uid.</param>
    /// <param name="exporterGid">The exporter's gid.</param>
    /// <returns><see langword="true"/> when every requested bit is in the importer's class digit, or the importer is privileged.</returns>
    public static bool IsAllowed(RsmPermissions requested, uint grantedMode, RsmCredentials importer, uint exporterUid, uint exporterGid)
    {
        ArgumentNullException.ThrowIfNull(importer);
        uint needed = ((requested & RsmPermissions.Read) != 0 ? 4u : 0u) | ((requested & RsmPermissions.Write) != 0 ? 2u : 0u);
        int shift = importer.Uid == exporterUid ? 6 : importer.IsMemberOf(exporterGid) ? 3 : 0;
        uint digit = (grantedMode >> shift) & 7u;
        return (digit & needed) == needed || importer.IsPrivileged;
    }

    /// <summary>The mode an exporter grants: <c>0666 &amp;</c> the entry's permission, or the default mode for an empty list.</summary>
    /// <param name="accessList">The segment's access list.</param>
    /// <param name="importerNode">The importing node.</param>
    /// <param name="defaultMode">The segment's default mode.</param>
    /// <returns>The granted mode, or <see langword="null"/> when a non-empty list does not name the node.</returns>
    public static uint? GrantedMode(IReadOnlyList<RsmAccessEntry> accessList, uint importerNode, uint defaultMode)
    {
        ArgumentNullException.ThrowIfNull(accessList);
        if (accessList.Count == 0)
        {
            return defaultMode & Octal.Mode0666;
        }

        foreach (RsmAccessEntry entry in accessList)
        {
            // The first entry for a node wins (RSMAPI 5.1).
            if (entry.NodeId == importerNode)
            {
                return entry.Permission & Octal.Mode0666;
            }
        }

        return null;
    }
}
