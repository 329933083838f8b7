namespace Rsm;

/// <summary>
/// One access-list entry (<c>rsmapi_access_entry_t</c>): a node id and three octal permission digits for the
/// exporter's owner, group and other classes, for example <c>0x194</c> (octal 0624).
/// </summary>
/// <param name="NodeId">The node allowed to connect (0 to the controller's maximum node id).</param>
/// <param name="Permission">Octal owner/group/other digits, each 0, 2, 4 or 6; at most 0666.</param>
public readonly record struct RsmAccessEntry(uint NodeId, uint Permission);
