using System.Globalization;
using System.Runtime.InteropServices;
using Rsm.Providers.Fabric.Interop;

// The peer of the cross-process fabric tests: opens a domain of the provider named by the first argument, registers
// memory of the length the second names (filled with a pattern: byte i holds (i * 7 + 3) % 251), prints one line
//   READY <address hex> <key> <remote base> <length> <provider>
// and serves remote accesses (the domain's progress thread) until its standard input closes.
if (args.Length < 2)
{
    await Console.Error.WriteLineAsync("usage: Rsm.Providers.Fabric.Peer <provider> <length>");
    return 2;
}

string provider = args[0];
nuint length = nuint.Parse(args[1], CultureInfo.InvariantCulture);
unsafe
{
    byte* memory = (byte*)NativeMemory.AlignedAlloc(length, 4096);
    try
    {
        for (nuint i = 0; i < length; i++)
        {
            memory[i] = (byte)((i * 7 + 3) % 251);
        }

        using FabricDomain domain = FabricDomain.Open(provider);
        using FabricRegistration registration = domain.Register((nint)memory, length, remoteRead: true, remoteWrite: true, requestedKey: 0x5eed);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"READY {Convert.ToHexString(domain.Address)} {registration.Key} {registration.RemoteBase} {length} {domain.ProviderName}"));
        Console.Out.Flush();
        while (Console.In.ReadLine() is not null)
        {
            // Serves until the test closes the pipe (or kills the process).
        }
    }
    finally
    {
        NativeMemory.AlignedFree(memory);
    }
}

return 0;
