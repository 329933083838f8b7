#!/usr/bin/env bash
# Runs the benchmarks in Release; reports and logs go to bench/results.
#   bench/run.sh                   every benchmark
#   bench/run.sh loopback          the Loopback benchmarks only
#   bench/run.sh sharedmemory      the SharedMemory benchmarks only (Linux)
#   bench/run.sh tcp               the Tcp benchmarks only (against raw sockets on 127.0.0.1)
#   bench/run.sh '<glob>'          the benchmarks whose full name matches, e.g. '*SignalRoundTrip*'
# Further arguments go to BenchmarkDotNet unchanged (for example: bench/run.sh sharedmemory --list flat).
set -euo pipefail
cd "$(dirname "$0")/.."
filter='*'
if [[ $# -gt 0 && "$1" != -* ]]; then
    case "$1" in
        loopback) filter='*Loopback*' ;;
        sharedmemory) filter='*SharedMemory*' ;;
        tcp) filter='*Tcp*' ;;
        *) filter="$1" ;;
    esac
    shift
fi
dotnet run -c Release --project bench/Rsm.Benchmarks -- --filter "$filter" --artifacts bench/results "$@"
