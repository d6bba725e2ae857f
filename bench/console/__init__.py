"""The console benchmarks' parts; `bench/bench_console.py` is their entry and describes their rows."""
