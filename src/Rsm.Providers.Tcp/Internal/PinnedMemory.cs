using System.Buffers;

namespace Rsm.Providers.Tcp.Internal;

/// <summary>Memory outside the managed heap that stays in place while it is used (a caller's pinned buffer, a segment's pages), as <see cref="Memory{T}"/>.</summary>
internal sealed unsafe class PinnedMemory : MemoryManager<byte>
{
    private readonly nint _pointer;
    private readonly int _length;

    private PinnedMemory(nint pointer, int length)
    {
        _pointer = pointer;
        _length = length;
    }

    /// <summary>The <paramref name="length"/> bytes at <paramref name="pointer"/> as memory.</summary>
    public static Memory<byte> Create(nint pointer, int length) => new PinnedMemory(pointer, length).Memory;

    public override Span<byte> GetSpan() => new((void*)_pointer, _length);

    public override MemoryHandle Pin(int elementIndex = 0) => new((byte*)_pointer + elementIndex);

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
    }
}
