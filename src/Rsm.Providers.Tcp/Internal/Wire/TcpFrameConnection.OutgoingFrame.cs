using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Rsm.Interop;

namespace Rsm.Providers.Tcp.Internal.Wire;

/// <content>The entries of the send queue.</content>
internal sealed partial class TcpFrameConnection
{
    /// <summary>One queued frame: its header and small parts copied, its bulk possibly lent by the sender.</summary>
    private sealed unsafe class OutgoingFrame
    {
        public byte[] Buffer { get; private set; } = [];

        public nint Address { get; private set; }

        public int BufferLength { get; private set; }

        public nint External { get; set; }

        public int ExternalLength { get; set; }

        public IFrameCompletion? Completion { get; set; }

        public long Sequence { get; set; }

        public long Size => BufferLength + ExternalLength;

        /// <summary>The bytes of the frame already written by a sender (see WriteNow); the rest follows.</summary>
        public long Sent { get; set; }

        /// <summary>Describes the bytes not written yet as one or two buffers; returns how many.</summary>
        public int Vectors(Libc.IoVector* vectors)
        {
            int used = 0;
            long skip = Sent;
            if (skip < BufferLength)
            {
                vectors[used++] = new Libc.IoVector { Base = Address + (nint)skip, Length = (nuint)(BufferLength - skip) };
                skip = 0;
            }
            else
            {
                skip -= BufferLength;
            }

            if (ExternalLength > skip)
            {
                vectors[used++] = new Libc.IoVector { Base = External + (nint)skip, Length = (nuint)(ExternalLength - skip) };
            }

            return used;
        }

        public void Fill(in FrameHeader header, ReadOnlySpan<byte> head, ReadOnlySpan<byte> data, int inline)
        {
            if (Buffer.Length < inline)
            {
                Buffer = GC.AllocateUninitializedArray<byte>(Math.Max(inline, 256), pinned: true);
                Address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(Buffer));
            }

            header.Write(Buffer);
            head.CopyTo(Buffer.AsSpan(FrameHeader.Size));
            data.CopyTo(Buffer.AsSpan(FrameHeader.Size + head.Length));
            BufferLength = inline;
            Sent = 0;
        }

        public void Release()
        {
            Buffer = [];
            Address = 0;
            BufferLength = 0;
            External = 0;
            ExternalLength = 0;
        }
    }
}
