using BenchmarkDotNet.Running;
using Rsm.Benchmarks;
using Rsm.Benchmarks.SharedMemory;

if (args.Length > 0 && args[0] == EchoChild.Argument)
{
    return EchoChild.Run(args);
}

EchoChild.RecordAssemblyLocation();
BenchmarkSwitcher.FromAssembly(typeof(LoopbackGetPutBenchmarks).Assembly).Run(args);
return 0;
