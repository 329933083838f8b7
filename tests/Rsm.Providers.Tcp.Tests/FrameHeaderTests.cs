using System.Buffers;
using Rsm.Providers.Tcp.Internal.Wire;

namespace Rsm.Providers.Tcp.Tests;

/// <summary>The 24-byte frame header: layout, parsing across segments, and the checks made before a payload is read.</summary>
[TestClass]
public sealed class FrameHeaderTests
{
    [TestMethod]
    public void Write_AllFields_LittleEndianLayout()
    {
        var header = new FrameHeader(Opcode.PutAck, requestId: 0x01020304, length: 0x0A0B0C0D, status: 40, flags: 0x0506);
        byte[] bytes = new byte[FrameHeader.Size];

        header.Write(bytes);

        byte[] expected =
        [
            (byte)'R', (byte)'S', (byte)'M', (byte)'T', FrameHeader.CurrentVersion, 22, 0x06, 0x05,
            0x04, 0x03, 0x02, 0x01, 40, 0, 0, 0,
            0x0D, 0x0C, 0x0B, 0x0A, 0, 0, 0, 0,
        ];
        CollectionAssert.AreEqual(expected, bytes);
    }

    [TestMethod]
    public void TryRead_WrittenHeader_SameFields()
    {
        var header = new FrameHeader(Opcode.Atomic, 7, 99, -3, 0xFFFF);
        byte[] bytes = new byte[FrameHeader.Size + 5];
        header.Write(bytes);

        Assert.IsTrue(FrameHeader.TryRead(bytes, out FrameHeader read));

        Assert.AreEqual(header, read);
        Assert.AreEqual(FrameProblem.None, read.Validate(1024));
    }

    [TestMethod]
    public void TryRead_HeaderSplitAcrossSegments_SameFields()
    {
        var header = new FrameHeader(Opcode.Signal, 123456, 0);
        byte[] bytes = new byte[FrameHeader.Size];
        header.Write(bytes);
        ReadOnlySequence<byte> split = Segments(bytes.AsMemory(0, 5), bytes.AsMemory(5, 11), bytes.AsMemory(16));

        Assert.IsTrue(FrameHeader.TryRead(split, out FrameHeader read));

        Assert.AreEqual(header, read);
    }

    [TestMethod]
    public void TryRead_FewerThan24Bytes_False()
    {
        Assert.IsFalse(FrameHeader.TryRead(new byte[FrameHeader.Size - 1], out _));
        Assert.IsFalse(FrameHeader.TryRead(new ReadOnlySequence<byte>(new byte[FrameHeader.Size - 1]), out _));
    }

    [TestMethod]
    public void Write_ShortDestination_ArgumentException() =>
        Assert.ThrowsExactly<ArgumentException>(() => new FrameHeader(Opcode.Ping, 0, 0).Write(new byte[FrameHeader.Size - 1]));

    [TestMethod]
    [DataRow(0u, FrameHeader.CurrentVersion, (byte)4, 0u, 0u, (int)FrameProblem.BadMagic)]
    [DataRow(FrameHeader.MagicValue, (byte)1, (byte)4, 0u, 0u, (int)FrameProblem.BadVersion)]
    [DataRow(FrameHeader.MagicValue, (byte)3, (byte)4, 0u, 0u, (int)FrameProblem.BadVersion)]
    [DataRow(FrameHeader.MagicValue, (byte)0, (byte)4, 0u, 0u, (int)FrameProblem.BadVersion)]
    [DataRow(FrameHeader.MagicValue, FrameHeader.CurrentVersion, (byte)0, 0u, 0u, (int)FrameProblem.UnknownOpcode)]
    [DataRow(FrameHeader.MagicValue, FrameHeader.CurrentVersion, (byte)8, 0u, 0u, (int)FrameProblem.UnknownOpcode)]
    [DataRow(FrameHeader.MagicValue, FrameHeader.CurrentVersion, (byte)64, 0u, 0u, (int)FrameProblem.UnknownOpcode)]
    [DataRow(FrameHeader.MagicValue, FrameHeader.CurrentVersion, (byte)255, 0u, 0u, (int)FrameProblem.UnknownOpcode)]
    [DataRow(FrameHeader.MagicValue, FrameHeader.CurrentVersion, (byte)21, 1u, 0u, (int)FrameProblem.BadReserved)]
    [DataRow(FrameHeader.MagicValue, FrameHeader.CurrentVersion, (byte)21, 0u, 1025u, (int)FrameProblem.TooLarge)]
    [DataRow(FrameHeader.MagicValue, FrameHeader.CurrentVersion, (byte)21, 0u, uint.MaxValue, (int)FrameProblem.TooLarge)]
    [DataRow(FrameHeader.MagicValue, FrameHeader.CurrentVersion, (byte)21, 0u, 1024u, (int)FrameProblem.None)]
    public void Validate_Header_FirstProblem(uint magic, byte version, byte opcode, uint reserved, uint length, int expected)
    {
        var header = new FrameHeader { Magic = magic, Version = version, Opcode = (Opcode)opcode, Reserved = reserved, Length = length };

        Assert.AreEqual((FrameProblem)expected, header.Validate(maxPayload: 1024));
    }

    [TestMethod]
    public void IsDefined_EveryByte_MatchesTheEnum()
    {
        var members = Enum.GetValues<Opcode>().ToHashSet();
        for (int value = 0; value <= byte.MaxValue; value++)
        {
            Assert.AreEqual(members.Contains((Opcode)value), OpcodeInfo.IsDefined((Opcode)value), $"opcode {value}");
        }
    }

    [TestMethod]
    [DataRow("Hello", 1)]
    [DataRow("HelloReply", 2)]
    [DataRow("Proof", 3)]
    [DataRow("Ping", 4)]
    [DataRow("Pong", 5)]
    [DataRow("Admitted", 6)]
    [DataRow("Refused", 7)]
    [DataRow("Connect", 16)]
    [DataRow("ConnectReply", 17)]
    [DataRow("Disconnect", 18)]
    [DataRow("Get", 19)]
    [DataRow("GetReply", 20)]
    [DataRow("Put", 21)]
    [DataRow("PutAck", 22)]
    [DataRow("Atomic", 23)]
    [DataRow("AtomicReply", 24)]
    [DataRow("Signal", 25)]
    [DataRow("Abort", 26)]
    [DataRow("AbortSeen", 27)]
    [DataRow("Grant", 28)]
    [DataRow("MapFetch", 29)]
    [DataRow("MapFetchReply", 30)]
    [DataRow("Close", 31)]
    [DataRow("SignalAck", 32)]
    public void Opcode_Value_AsAssignedOnTheWire(string name, int value) =>
        Assert.AreEqual(value, (int)Enum.Parse<Opcode>(name));

    private static ReadOnlySequence<byte> Segments(params ReadOnlyMemory<byte>[] parts)
    {
        var first = new Segment(parts[0], 0);
        Segment last = first;
        for (int i = 1; i < parts.Length; i++)
        {
            last = last.Append(parts[i]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
