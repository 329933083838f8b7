using BenchmarkDotNet.Running;
using Rsm.Benchmarks;

BenchmarkSwitcher.FromAssembly(typeof(LoopbackGetPutBenchmarks).Assembly).Run(args);
