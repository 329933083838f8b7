#!/usr/bin/env bash
# Runs the benchmarks in Release; reports and logs go to bench/results.
#   bench/run.sh                   every benchmark
#   bench/run.sh loopback          the Loopback benchmarks only
#   bench/run.sh sharedmemory      the SharedMemory benchmarks only (Linux), the contended put included
#   bench/run.sh tcp               the Tcp benchmarks only (against raw sockets on 127.0.0.1), the contended put and
#                                  TLS against no TLS included
#   bench/run.sh fabric            the Fabric benchmarks (on tcp;ofi_rxm and shm, against the raw libfabric loop) and,
#                                  in the same run, the Tcp get/put benchmarks against raw sockets
#   bench/run.sh contended         the contended cases only: 4 importers putting 1 MiB at once into one exporter,
#                                  SharedMemory against 4 copies at once and Tcp against 4 raw socket streams at once
#   bench/run.sh '<glob>'          the benchmarks whose full name matches, e.g. '*SignalRoundTrip*'
# Further arguments go to BenchmarkDotNet unchanged (for example: bench/run.sh sharedmemory --list flat).
# A quick check that a set runs, not a measurement: bench/run.sh contended --warmupCount 1 --iterationCount 3 --iterationTime 100
# (these settings shorten each class's own job; --job dry would run in addition to it).
set -euo pipefail
cd "$(dirname "$0")/.."
filters=('*')
if [[ $# -gt 0 && "$1" != -* ]]; then
    case "$1" in
        loopback) filters=('*Loopback*') ;;
        sharedmemory) filters=('*SharedMemory*') ;;
        tcp) filters=('*Tcp*') ;;
        contended) filters=('*Contended*') ;;
        fabric) filters=('*Fabric*' '*TcpGetPutBenchmarks*') ;;
        *) filters=("$1") ;;
    esac
    shift
fi
dotnet run -c Release --project bench/Rsm.Benchmarks -- --filter "${filters[@]}" --artifacts bench/results "$@"
