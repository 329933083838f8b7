namespace Rsm;

/// <summary>A range of segment ids reserved for an application: ids in [<see cref="BaseId"/>, <see cref="BaseId"/> + <see cref="Length"/>).</summary>
/// <param name="BaseId">The first id.</param>
/// <param name="Length">The number of ids.</param>
public readonly record struct RsmSegmentIdRange(uint BaseId, uint Length);
