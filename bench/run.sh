#!/usr/bin/env bash
# Runs every benchmark in Release; reports and logs go to bench/results.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet run -c Release --project bench/Rsm.Benchmarks -- --filter '*' --artifacts bench/results "$@"
